package io.wagateway.gateway;

import io.smallrye.mutiny.Uni;
import io.wagateway.agent.AgentService;
import io.wagateway.conversation.ConversationQueries;
import io.wagateway.conversation.Page;
import io.wagateway.fanout.FanoutService;
import io.wagateway.presence.PresenceService;
import io.wagateway.protocol.ClientEvent.GetAgents;
import io.wagateway.protocol.ClientEvent.GetContacts;
import io.wagateway.protocol.ClientEvent.GetConversations;
import io.wagateway.protocol.ClientEvent.GetMessages;
import io.wagateway.protocol.ClientEvent.GetMessagesBetween;
import io.wagateway.protocol.ServerFrame;
import io.wagateway.protocol.Views;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.function.Function;

/**
 * The {@code get_*} reads of the inbox (PROTOCOL.md section 2), scoped to the caller's tenant; each
 * answer carries {@code lastSeq} beside {@code success} (PROTOCOL.md 6.2).
 */
@ApplicationScoped
class QueryRequests implements ClientRequests {

    private final ConversationQueries queries;
    private final AgentService agents;
    private final PresenceService presence;
    private final FanoutService fanout;

    QueryRequests(ConversationQueries queries, AgentService agents, PresenceService presence, FanoutService fanout) {
        this.queries = queries;
        this.agents = agents;
        this.presence = presence;
        this.fanout = fanout;
    }

    @Override
    public void register(Routes routes) {
        routes.on("get_contacts", GetContacts.class, "contacts_response", (session, r, answer) -> page(session, answer,
                        tenant -> queries.contacts(tenant, r.search(), r.limit(), r.cursor())))
                .on("get_conversations", GetConversations.class, "conversations_response", (session, r, answer) ->
                        page(session, answer, tenant -> queries.conversations(tenant, r.limit(), r.cursor(),
                                r.status(), r.assignedTo(), r.phoneNumberId())))
                .on("get_messages", GetMessages.class, "messages_response", (session, r, answer) -> page(session,
                        answer, tenant -> queries.messages(tenant, r.conversationId(), r.limit(), r.before())))
                .on("get_messages_between", GetMessagesBetween.class, "messages_between_response",
                        (session, r, answer) -> fanout.lastSeqFor(session).chain(seq -> queries.messagesBetween(
                                session.identity().tenant(), r.fromNumber(), r.toNumber(), r.limit(), r.offset())
                                .map(messages -> answer.withList(messages, seq))))
                .on("get_agents", GetAgents.class, "agents_response", (session, r, answer) -> {
                    String tenant = session.identity().tenant();
                    return fanout.lastSeqFor(session).chain(seq -> agents.list(tenant).chain(list -> presence
                            .online(tenant).map(online -> answer.withList(list.stream().map(a -> new Views.Agent(
                                    a.key.id(), a.name, a.status, online.contains(a.key.id()))).toList(), seq))));
                });
    }

    /**
     * A page of the caller's tenant, with {@code lastSeq} read first: an event committed while the
     * page is read is then in the page, or after lastSeq (a resume replays it), never lost between.
     */
    private Uni<ServerFrame> page(ClientSession session, Answer answer, Function<String, Uni<? extends Page<?>>> query) {
        return fanout.lastSeqFor(session).chain(seq -> query.apply(session.identity().tenant())
                .map(page -> answer.with(page, seq)));
    }
}
