package io.wagateway.conversation;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.wagateway.config.JsonText;
import io.wagateway.conversation.ConversationEvents.StatusChange;
import io.wagateway.fanout.DurableEvent;
import io.wagateway.fanout.EventLog;
import io.wagateway.fanout.FanoutService;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Moves a message's status forward only: pending < sent < delivered < read < played, whatever
 * order Meta's webhooks arrive in. {@code failed} keeps Meta's error and is final; it applies only
 * to a message not yet delivered (a message the customer read cannot have failed). A repeated or
 * late status changes nothing and pushes nothing.
 */
@ApplicationScoped
public class MessageStatusService {

    public static final Set<String> KNOWN = Set.of("sent", "delivered", "read", "played", "failed");

    public enum Outcome { APPLIED, STALE, UNKNOWN_MESSAGE, UNKNOWN_STATUS }

    public record Result(Outcome outcome, List<DurableEvent> events) {}

    private final Pool pool;
    private final MessageStatusStore store;
    private final EventLog eventLog;
    private final ConversationEvents events;
    private final FanoutService fanout;
    private final ObjectMapper json;

    public MessageStatusService(Pool pool, MessageStatusStore store, EventLog eventLog, ConversationEvents events,
                                FanoutService fanout, ObjectMapper json) {
        this.pool = pool;
        this.store = store;
        this.eventLog = eventLog;
        this.events = events;
        this.fanout = fanout;
        this.json = json;
    }

    public Uni<Result> apply(StatusUpdate update) {
        if (!KNOWN.contains(update.status())) {
            return Uni.createFrom().item(new Result(Outcome.UNKNOWN_STATUS, List.of()));
        }
        return pool.withTransaction(connection -> advance(connection, update))
                .invoke(result -> fanout.publishCommitted(result.events()));
    }

    private Uni<Result> advance(SqlConnection connection, StatusUpdate update) {
        UUID sentAs = Ids.parse(update.callbackData()).orElse(null);
        Uni<MessageStatusStore.Advanced> advanced = store.advance(connection, update, JsonText.of(json, update.error()));
        if (sentAs != null) { // both go out at once: the connection runs them in order
            advanced = Uni.combine().all().unis(store.reconcile(connection, sentAs, update.waMessageId()), advanced)
                    .with((reconciled, moved) -> moved);
        }
        return advanced.chain(moved -> {
            if (moved == null) {
                return store.exists(connection, update.waMessageId())
                        .map(known -> new Result(known ? Outcome.STALE : Outcome.UNKNOWN_MESSAGE, List.of()));
            }
            StatusChange change = new StatusChange(moved.messageId(), update.waMessageId(), moved.conversationId(),
                    moved.contactId(), moved.assignee(), update.status(), update.timestamp(), update.error());
            return eventLog.append(connection, moved.tenant(), List.of(events.statusChanged(change)))
                    .map(appended -> new Result(Outcome.APPLIED, appended));
        });
    }
}
