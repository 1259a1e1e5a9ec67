package io.wagateway.collaboration;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.wagateway.conversation.ConversationEvents;
import io.wagateway.conversation.ConversationRows;
import io.wagateway.conversation.Ids;
import io.wagateway.fanout.DurableEvent;
import io.wagateway.fanout.EventLog;
import io.wagateway.fanout.FanoutService;
import io.wagateway.protocol.ProtocolException;
import io.wagateway.protocol.Views;
import io.wagateway.security.ClientIdentity;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * {@code assign_chat}: a supervisor or admin assigns any conversation to any agent of the tenant;
 * an agent may only take an unassigned conversation for themselves. The agent must exist (created by
 * an admin or recorded from a connection) and be active. The assignee gets a durable
 * {@code chat_assigned}, the conversation's audience {@code conversation_updated}.
 */
@ApplicationScoped
public class AssignmentService {

    private final Pool pool;
    private final CollaborationStore store;
    private final ConversationRows rows;
    private final EventLog eventLog;
    private final ConversationEvents events;
    private final FanoutService fanout;

    public AssignmentService(Pool pool, CollaborationStore store, ConversationRows rows, EventLog eventLog,
                             ConversationEvents events, FanoutService fanout) {
        this.pool = pool;
        this.store = store;
        this.rows = rows;
        this.eventLog = eventLog;
        this.events = events;
        this.fanout = fanout;
    }

    public Uni<Void> assign(ClientIdentity me, String conversationId, String agentId) {
        UUID id = Ids.parse(conversationId).orElse(null);
        if (id == null) {
            return Uni.createFrom().failure(ProtocolException.notFound("conversation"));
        }
        return pool.withTransaction(connection -> Uni.combine().all()
                        .unis(store.lock(connection, me.tenant(), id), store.agentActive(connection, me.tenant(), agentId))
                        .asTuple() // pipelined: one round trip
                        .chain(found -> {
                            CollaborationStore.Locked conversation = found.getItem1();
                            if (conversation == null) {
                                throw ProtocolException.notFound("conversation");
                            }
                            // permission before the target (PROTOCOL.md 6.8): an agent who may not assign
                            // this learns nothing about which agents exist
                            permit(me, conversation.assignee(), agentId);
                            Boolean active = found.getItem2();
                            if (active == null) {
                                throw ProtocolException.notFound("agent");
                            }
                            if (!active) {
                                throw ProtocolException.badField("agentId", "agent " + agentId + " is deactivated");
                            }
                            if (agentId.equals(conversation.assignee())) {
                                return Uni.createFrom().item(List.<DurableEvent>of());
                            }
                            return assign(connection, me, id, agentId);
                        }))
                .invoke(fanout::publishCommitted)
                .replaceWithVoid();
    }

    /** Supervisors and admins assign anyone; an agent takes an unassigned conversation (or keeps theirs). */
    static void permit(ClientIdentity me, String currentAssignee, String agentId) {
        if (me.isSupervisor()) {
            return;
        }
        if (!agentId.equals(me.userId())) {
            throw ProtocolException.forbidden("agents can only assign conversations to themselves");
        }
        if (currentAssignee != null && !currentAssignee.equals(me.userId())) {
            throw ProtocolException.forbidden("the conversation is assigned to someone else");
        }
    }

    private Uni<List<DurableEvent>> assign(SqlConnection connection, ClientIdentity me, UUID id, String agentId) {
        return Uni.combine().all().unis(store.assign(connection, me.tenant(), id, agentId), rows.load(connection, id))
                .with((assigned, fresh) -> fresh)
                .chain(fresh -> eventLog.append(connection, me.tenant(), List.of(
                        events.chatAssigned(fresh.id, new Views.ContactRef(fresh.contact.id.toString(),
                                fresh.contact.waId, fresh.contact.name), agentId, me.userId(), Instant.now()),
                        events.updated(fresh))));
    }
}
