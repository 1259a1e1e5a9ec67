package io.wagateway.gateway;

import io.wagateway.agent.AgentService;
import io.wagateway.conversation.ConversationQueries;
import io.wagateway.presence.PresenceService;
import io.wagateway.protocol.ClientEvent.GetAgents;
import io.wagateway.protocol.ClientEvent.GetContacts;
import io.wagateway.protocol.ClientEvent.GetConversations;
import io.wagateway.protocol.ClientEvent.GetMessages;
import io.wagateway.protocol.ClientEvent.GetMessagesBetween;
import io.wagateway.protocol.Views;
import jakarta.enterprise.context.ApplicationScoped;

/** The {@code get_*} reads of the inbox (PROTOCOL.md section 2), scoped to the caller's tenant. */
@ApplicationScoped
class QueryRequests implements ClientRequests {

    private final ConversationQueries queries;
    private final AgentService agents;
    private final PresenceService presence;

    QueryRequests(ConversationQueries queries, AgentService agents, PresenceService presence) {
        this.queries = queries;
        this.agents = agents;
        this.presence = presence;
    }

    @Override
    public void register(Routes routes) {
        routes.on("get_contacts", GetContacts.class, "contacts_response", (session, r, answer) -> queries
                        .contacts(session.identity().tenant(), r.search(), r.limit(), r.cursor()).map(answer::with))
                .on("get_conversations", GetConversations.class, "conversations_response", (session, r, answer) ->
                        queries.conversations(session.identity().tenant(), r.limit(), r.cursor(), r.status(),
                                r.assignedTo()).map(answer::with))
                .on("get_messages", GetMessages.class, "messages_response", (session, r, answer) -> queries
                        .messages(session.identity().tenant(), r.conversationId(), r.limit(), r.before())
                        .map(answer::with))
                .on("get_messages_between", GetMessagesBetween.class, "messages_between_response",
                        (session, r, answer) -> queries.messagesBetween(session.identity().tenant(), r.fromNumber(),
                                r.toNumber(), r.limit(), r.offset()).map(answer::with))
                .on("get_agents", GetAgents.class, "agents_response", (session, r, answer) -> {
                    String tenant = session.identity().tenant();
                    return agents.list(tenant).chain(list -> presence.online(tenant).map(online -> answer.with(
                            list.stream().map(a -> new Views.Agent(a.key.id(), a.name, a.status,
                                    online.contains(a.key.id()))).toList())));
                });
    }
}
