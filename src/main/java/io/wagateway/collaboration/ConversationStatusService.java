package io.wagateway.collaboration;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.wagateway.conversation.ConversationEvents;
import io.wagateway.conversation.ConversationRows;
import io.wagateway.conversation.Ids;
import io.wagateway.conversation.ViewMapper;
import io.wagateway.fanout.DurableEvent;
import io.wagateway.fanout.EventLog;
import io.wagateway.fanout.FanoutService;
import io.wagateway.protocol.ProtocolException;
import io.wagateway.protocol.Views;
import io.wagateway.security.ClientIdentity;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.UUID;

/**
 * {@code update_conversation} (PROTOCOL.md 6.2): opens or closes a conversation of the caller's
 * tenant, with a durable {@code conversation_updated} to the conversation's audience. Any role may:
 * an agent sees every conversation of the tenant and closes the ones they finish, as a supervisor
 * does. Another tenant's conversation is {@code not_found}. A customer's next message reopens a
 * closed conversation ({@code InboundStore.move}).
 */
@ApplicationScoped
public class ConversationStatusService {

    private final Pool pool;
    private final CollaborationStore store;
    private final ConversationRows rows;
    private final ViewMapper views;
    private final EventLog eventLog;
    private final ConversationEvents events;
    private final FanoutService fanout;

    public ConversationStatusService(Pool pool, CollaborationStore store, ConversationRows rows, ViewMapper views,
                                     EventLog eventLog, ConversationEvents events, FanoutService fanout) {
        this.pool = pool;
        this.store = store;
        this.rows = rows;
        this.views = views;
        this.eventLog = eventLog;
        this.events = events;
        this.fanout = fanout;
    }

    private record Changed(Views.Conversation conversation, List<DurableEvent> events) {}

    /**
     * @param status {@code open} or {@code closed} (the request record checks it)
     * @return the conversation after the change; setting the status it has already changes and
     *         announces nothing
     */
    public Uni<Views.Conversation> changeStatus(ClientIdentity me, String conversationId, String status) {
        UUID id = Ids.parse(conversationId).orElse(null);
        if (id == null) {
            return Uni.createFrom().failure(ProtocolException.notFound("conversation"));
        }
        return pool.withTransaction(connection -> store.lock(connection, me.tenant(), id)
                        .onItem().ifNull().failWith(() -> ProtocolException.notFound("conversation"))
                        // pipelined, one round trip: the connection runs them in order, so the load sees the update
                        .chain(locked -> Uni.combine().all()
                                .unis(store.setStatus(connection, id, status), rows.load(connection, id)).asTuple())
                        .chain(done -> {
                            Views.Conversation view = views.conversation(done.getItem2());
                            if (!done.getItem1()) {
                                return Uni.createFrom().item(new Changed(view, List.of()));
                            }
                            return eventLog.append(connection, me.tenant(), List.of(events.updated(view)))
                                    .map(appended -> new Changed(view, appended));
                        }))
                .invoke(changed -> fanout.publishCommitted(changed.events()))
                .map(Changed::conversation);
    }
}
