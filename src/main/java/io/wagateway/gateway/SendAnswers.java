package io.wagateway.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.wagateway.config.JsonText;
import io.wagateway.metrics.GatewayMetrics;
import io.wagateway.outbound.SendOutcome;
import io.wagateway.protocol.ErrorCode;
import io.wagateway.protocol.ServerFrame;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Remembers which connection asked for which send, to answer it with {@code message_sent_success}
 * or {@code message_send_error} (with the request's requestId) when the sender finishes. If the
 * connection is gone, or the send finished on another instance, the durable
 * {@code message_status_update} still tells every client in the conversation.
 */
@ApplicationScoped
public class SendAnswers {

    private static final long FORGET_AFTER_NANOS = Duration.ofHours(1).toNanos();

    private record Waiting(ClientSession session, String requestId, long since) {}

    private final ConcurrentMap<UUID, Waiting> waiting = new ConcurrentHashMap<>();
    private final ObjectMapper json;
    private final GatewayMetrics metrics;

    public SendAnswers(ObjectMapper json, GatewayMetrics metrics) {
        this.json = json;
        this.metrics = metrics;
    }

    void expect(UUID messageId, ClientSession session, String requestId) {
        waiting.put(messageId, new Waiting(session, requestId, System.nanoTime()));
        if (waiting.size() > 10_000) {
            long now = System.nanoTime();
            waiting.values().removeIf(w -> now - w.since() > FORGET_AFTER_NANOS || !w.session().connection().isOpen());
        }
    }

    void finished(@Observes SendOutcome outcome) {
        Waiting who = waiting.remove(outcome.messageId());
        if (who == null) {
            return;
        }
        ServerFrame frame;
        if (outcome.succeeded()) {
            frame = ServerFrame.success("message_sent_success", who.requestId(), Map.of(
                    "messageId", outcome.messageId().toString(), "waMessageId", outcome.waMessageId(),
                    "timestamp", outcome.timestamp().toString()));
        } else {
            var error = outcome.error();
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("success", false);
            data.put("messageId", outcome.messageId().toString());
            data.put("error", new ServerFrame.ErrorBody(ErrorCode.WHATSAPP_ERROR, error.getMessage(),
                    error.code() == 0 ? null : error.code(), error.details()));
            frame = new ServerFrame("message_send_error", who.requestId(), null, data);
        }
        metrics.eventOut(frame.event(), 1);
        who.session().sendText(JsonText.of(json, frame)).subscribe().with(ok -> {
        }, failure -> {
        });
    }
}
