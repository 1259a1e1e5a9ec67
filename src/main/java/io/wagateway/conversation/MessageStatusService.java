package io.wagateway.conversation;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.wagateway.config.JsonText;
import io.wagateway.fanout.DurableEvent;
import io.wagateway.fanout.EventLog;
import io.wagateway.fanout.FanoutService;
import io.wagateway.fanout.NewEvent;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    private final EventLog eventLog;
    private final FanoutService fanout;
    private final ObjectMapper json;

    public MessageStatusService(EventLog eventLog, FanoutService fanout, ObjectMapper json) {
        this.eventLog = eventLog;
        this.fanout = fanout;
        this.json = json;
    }

    public Uni<Result> apply(StatusUpdate update) {
        if (!KNOWN.contains(update.status())) {
            return Uni.createFrom().item(new Result(Outcome.UNKNOWN_STATUS, List.of()));
        }
        return Panache.withTransaction(() -> reconcile(update).chain(() -> store(update)))
                .invoke(result -> fanout.publishCommitted(result.events()));
    }

    /** A send whose WhatsApp id was lost (crash after Meta accepted it) gets it from the callback data. */
    private Uni<Integer> reconcile(StatusUpdate update) {
        UUID messageId = Ids.parse(update.callbackData()).orElse(null);
        if (messageId == null) {
            return Uni.createFrom().item(0);
        }
        return Panache.getSession().chain(session -> session.createNativeQuery("""
                        update message set wa_message_id = :wamid
                         where id = :id and wa_message_id is null and direction = 'outbound'
                           and not exists (select 1 from message where wa_message_id = :wamid)""")
                .setParameter("wamid", update.waMessageId())
                .setParameter("id", messageId)
                .executeUpdate());
    }

    private Uni<Result> store(StatusUpdate update) {
        return Panache.getSession().chain(session -> session.createNativeQuery("""
                        update message m
                           set status = :status, status_at = :ts, error = coalesce(cast(cast(:error as text) as jsonb), m.error)
                          from conversation c
                         where m.wa_message_id = :wamid and c.id = m.conversation_id
                           and m.status <> 'failed'
                           and case when :status = 'failed' then m.status in ('pending', 'sent')
                                    else array_position(array['pending','sent','delivered','read','played'], m.status)
                                       < array_position(array['pending','sent','delivered','read','played'], :status)
                               end
                        returning m.id, m.conversation_id, m.tenant_id, c.contact_id, c.assignee_id""", Object[].class)
                .setParameter("status", update.status())
                .setParameter("ts", update.timestamp())
                .setParameter("error", JsonText.of(json, update.error()))
                .setParameter("wamid", update.waMessageId())
                .getResultList()
                .chain(rows -> rows.isEmpty() ? known(update)
                        : appendEvent(update, rows.get(0))));
    }

    private Uni<Result> known(StatusUpdate update) {
        return Message.count("waMessageId", update.waMessageId())
                .map(n -> new Result(n == 0 ? Outcome.UNKNOWN_MESSAGE : Outcome.STALE, List.of()));
    }

    private Uni<Result> appendEvent(StatusUpdate update, Object[] row) {
        UUID messageId = (UUID) row[0];
        UUID conversationId = (UUID) row[1];
        String tenant = (String) row[2];
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("messageId", messageId.toString());
        payload.put("waMessageId", update.waMessageId());
        payload.put("conversationId", conversationId.toString());
        payload.put("status", update.status());
        payload.put("timestamp", update.timestamp().toString());
        if (update.error() != null) {
            payload.put("error", update.error());
        }
        return eventLog.append(tenant, List.of(NewEvent.forMessage("message_status_update", conversationId,
                        (UUID) row[3], (String) row[4], payload)))
                .map(events -> new Result(Outcome.APPLIED, events));
    }

}
