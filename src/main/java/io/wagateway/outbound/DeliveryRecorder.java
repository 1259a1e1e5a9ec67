package io.wagateway.outbound;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.wagateway.config.JsonText;
import io.wagateway.conversation.ConversationEvents;
import io.wagateway.conversation.ConversationEvents.StatusChange;
import io.wagateway.fanout.DurableEvent;
import io.wagateway.fanout.EventLog;
import io.wagateway.fanout.FanoutService;
import io.wagateway.fanout.GroupCommit;
import io.wagateway.metrics.GatewayMetrics;
import io.wagateway.whatsapp.MetaError;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;

import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What a send's outcome changes: the message's status and WhatsApp id, its outbox row, a durable
 * {@code message_status_update}, pushed once committed, and the {@link SendOutcome} that answers
 * the requesting connection. Accepted sends of a tenant are recorded together ({@link GroupCommit}).
 */
@ApplicationScoped
class DeliveryRecorder {

    private static final int BATCH = 100;

    private final Pool pool;
    private final OutboxStore outbox;
    private final DeliveryStore deliveries;
    private final EventLog eventLog;
    private final ConversationEvents events;
    private final FanoutService fanout;
    private final Event<SendOutcome> outcomes;
    private final ObjectMapper json;
    private final GroupCommit<Sent, Boolean> accepted;

    DeliveryRecorder(Pool pool, OutboxStore outbox, DeliveryStore deliveries, EventLog eventLog,
                     ConversationEvents events, FanoutService fanout, Event<SendOutcome> outcomes, ObjectMapper json,
                     Vertx vertx, GatewayMetrics metrics) {
        this.pool = pool;
        this.outbox = outbox;
        this.deliveries = deliveries;
        this.eventLog = eventLog;
        this.events = events;
        this.fanout = fanout;
        this.outcomes = outcomes;
        this.json = json;
        this.accepted = new GroupCommit<>(vertx, BATCH, this::recordAndPush, size -> metrics.groupCommit("sent", size));
    }

    /** A send Meta accepted, to record. */
    private record Sent(OutboxJob job, String wamid, Instant at) {}

    /** Meta accepted the send: true when a later send to the same recipient waits in the outbox. */
    Uni<Boolean> sent(OutboxJob job, String wamid) {
        Instant now = Instant.now();
        return accepted.submit(job.tenant(), new Sent(job, wamid, now))
                .invoke(() -> outcomes.fire(new SendOutcome(job.messageId(), wamid, now, null)));
    }

    private Uni<GroupCommit.Outcome> recordAndPush(List<Sent> batch) {
        return pool.withTransaction(connection -> record(connection, batch))
                .invoke(recorded -> fanout.publishCommitted(recorded.events()));
    }

    /** The messages move to {@code sent}, their rows go, a {@code message_status_update} each is appended. */
    private Uni<GroupCommit.Outcome> record(SqlConnection connection, List<Sent> batch) {
        int n = batch.size();
        UUID[] messages = new UUID[n];
        String[] wamids = new String[n];
        UUID[] rows = new UUID[n];
        Map<UUID, Instant> sentAt = new HashMap<>();
        for (int i = 0; i < n; i++) {
            Sent sent = batch.get(i);
            messages[i] = sent.job().messageId();
            wamids[i] = sent.wamid();
            rows[i] = sent.job().id();
            sentAt.put(sent.job().messageId(), sent.at());
        }
        return deliveries.sent(connection, messages, wamids)
                .chain(changed -> outbox.delete(connection, rows)
                        .chain(waiting -> eventLog.append(connection, batch.get(0).job().tenant(), changed.stream()
                                        .map(c -> events.statusChanged(change(c, "sent", sentAt.get(c.messageId()), null)))
                                        .toList())
                                .map(appended -> new GroupCommit.Outcome(batch.stream()
                                        .map(sent -> (Object) waiting.contains(OutboxStore.waitingKey(
                                                sent.job().phoneNumberId(), sent.job().recipient())))
                                        .toList(), appended))));
    }

    /** The send failed for good: the message (if still pending) becomes {@code failed} with Meta's error. */
    Uni<Void> failed(OutboxJob job, MetaError error) {
        Map<String, Object> stored = storedError(error);
        Instant now = Instant.now();
        return pool.withTransaction(connection -> deliveries.failed(connection, job.messageId(),
                                JsonText.of(json, stored))
                        .chain(changed -> outbox.delete(connection, new UUID[] {job.id()})
                                .chain(() -> changed == null ? Uni.createFrom().item(List.<DurableEvent>of())
                                        : eventLog.append(connection, job.tenant(),
                                        List.of(events.statusChanged(change(changed, "failed", now, stored)))))))
                .invoke(appended -> {
                    fanout.publishCommitted(appended);
                    outcomes.fire(new SendOutcome(job.messageId(), null, now, error));
                })
                .replaceWithVoid();
    }

    /** Meta's error as the message keeps it (PROTOCOL.md: {@code error} of a failed message). */
    private static Map<String, Object> storedError(MetaError error) {
        Map<String, Object> stored = new LinkedHashMap<>();
        stored.put("code", error.code());
        stored.put("title", error.getMessage());
        if (error.details() != null) {
            stored.put("details", error.details());
        }
        if (error.status() != 0) {
            stored.put("httpStatus", error.status());
        }
        return stored;
    }

    private static StatusChange change(DeliveryStore.Changed c, String status, Instant at, Object error) {
        return new StatusChange(c.messageId(), c.waMessageId(), c.conversationId(), c.contactId(), c.assignee(),
                status, at, error);
    }
}
