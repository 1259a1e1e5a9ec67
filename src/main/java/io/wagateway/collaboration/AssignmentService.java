package io.wagateway.collaboration;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.wagateway.agent.Agent;
import io.wagateway.conversation.Conversation;
import io.wagateway.conversation.ConversationQueries;
import io.wagateway.conversation.ConversationStore;
import io.wagateway.conversation.ViewMapper;
import io.wagateway.fanout.Audience;
import io.wagateway.fanout.DurableEvent;
import io.wagateway.fanout.EventLog;
import io.wagateway.fanout.FanoutService;
import io.wagateway.fanout.NewEvent;
import io.wagateway.protocol.ProtocolException;
import io.wagateway.protocol.Views;
import io.wagateway.security.ClientIdentity;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code assign_chat}: a supervisor or admin assigns any conversation to any agent of the tenant;
 * an agent may only take an unassigned conversation for themselves. The assignee gets a durable
 * {@code chat_assigned}, the tenant {@code conversation_updated}.
 */
@ApplicationScoped
public class AssignmentService {

    private final ConversationQueries queries;
    private final ConversationStore store;
    private final EventLog eventLog;
    private final FanoutService fanout;
    private final ViewMapper views;

    public AssignmentService(ConversationQueries queries, ConversationStore store, EventLog eventLog,
                             FanoutService fanout, ViewMapper views) {
        this.queries = queries;
        this.store = store;
        this.eventLog = eventLog;
        this.fanout = fanout;
        this.views = views;
    }

    public Uni<Void> assign(ClientIdentity me, String conversationId, String agentId) {
        return Panache.withTransaction(() -> queries.conversation(me.tenant(), conversationId)
                        .call(conversation -> Panache.getSession().chain(s -> s.refresh(conversation,
                                org.hibernate.LockMode.PESSIMISTIC_WRITE)))
                        .chain(conversation -> Agent.<Agent>findById(new Agent.Key(me.tenant(), agentId))
                                .onItem().ifNull().failWith(() -> ProtocolException.notFound("agent"))
                                .chain(agent -> {
                                    permit(me, conversation, agentId);
                                    if (agentId.equals(conversation.assigneeId)) {
                                        return Uni.createFrom().item(List.<DurableEvent>of());
                                    }
                                    return apply(me, conversation, agent);
                                })))
                .invoke(fanout::publishCommitted)
                .replaceWithVoid();
    }

    private static void permit(ClientIdentity me, Conversation conversation, String agentId) {
        if (me.isSupervisor()) {
            return;
        }
        if (!agentId.equals(me.userId())) {
            throw ProtocolException.forbidden("agents can only assign conversations to themselves");
        }
        if (conversation.assigneeId != null && !conversation.assigneeId.equals(me.userId())) {
            throw ProtocolException.forbidden("the conversation is assigned to someone else");
        }
    }

    private Uni<List<DurableEvent>> apply(ClientIdentity me, Conversation conversation, Agent agent) {
        Instant now = Instant.now();
        conversation.assigneeId = agent.key.id();
        conversation.updatedAt = now;
        agent.lastAssignedAt = now;
        return Panache.getSession().chain(s -> s.flush())
                .chain(() -> store.withView(conversation.id))
                .chain(fresh -> {
                    Map<String, Object> assigned = new LinkedHashMap<>();
                    assigned.put("conversationId", fresh.id.toString());
                    assigned.put("customerInfo", new Views.ContactRef(fresh.contact.id.toString(), fresh.contact.waId,
                            fresh.contact.name));
                    assigned.put("assignedBy", me.userId());
                    assigned.put("timestamp", now.toString());
                    return eventLog.append(me.tenant(), List.of(
                            new NewEvent("chat_assigned", Audience.USER, fresh.id, fresh.contact.id, agent.key.id(),
                                    assigned),
                            NewEvent.forTenant("conversation_updated", views.conversation(fresh))));
                });
    }
}
