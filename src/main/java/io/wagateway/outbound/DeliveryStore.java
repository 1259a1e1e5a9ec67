package io.wagateway.outbound;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.tuples.Tuple2;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.wagateway.config.CombinedWrite;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** What the Graph API's answer changes on outbound messages, inside the caller's transaction. */
@ApplicationScoped
public class DeliveryStore {

    /** A message whose status changed, and where its conversation's events go. */
    public record Changed(UUID messageId, String waMessageId, UUID conversationId, UUID contactId, String assignee) {

        static Changed of(Row row) {
            return new Changed(row.getUUID(0), row.getString(1), row.getUUID(2), row.getUUID(3), row.getString(4));
        }
    }

    private static final String CHANGED = "m.id, m.wa_message_id, m.conversation_id, c.contact_id, c.assignee_id";

    /**
     * Meta accepted the sends: each message gets its WhatsApp id and moves to {@code sent}, unless a
     * status webhook was faster. Returns every message still there (a deleted one has no event).
     */
    public Uni<List<Changed>> sent(SqlConnection connection, UUID[] messages, String[] wamids) {
        var update = connection.preparedQuery("""
                        update message m
                           set wa_message_id = coalesce(m.wa_message_id, v.wamid),
                               status = case when m.status = 'pending' then 'sent' else m.status end,
                               status_at = case when m.status = 'pending' then now() else m.status_at end
                          from unnest($1::uuid[], $2::text[]) as v(id, wamid), conversation c
                         where m.id = v.id and c.id = m.conversation_id
                        returning\s""" + CHANGED)
                .execute(Tuple.of(messages, wamids));
        return Uni.combine().all().unis(CombinedWrite.reusePlans(connection), update).asTuple() // pipelined
                .map(Tuple2::getItem2)
                .map(rows -> {
                    List<Changed> changed = new ArrayList<>(rows.size());
                    rows.forEach(row -> changed.add(Changed.of(row)));
                    return changed;
                });
    }

    /** A send failed for good: the message, if still pending, becomes {@code failed} with the error; null otherwise. */
    public Uni<Changed> failed(SqlConnection connection, UUID messageId, String errorJson) {
        return connection.preparedQuery("""
                        update message m set status = 'failed', status_at = now(), error = cast($2::text as jsonb)
                          from conversation c
                         where m.id = $1 and c.id = m.conversation_id and m.status = 'pending'
                        returning\s""" + CHANGED)
                .execute(Tuple.of(messageId, errorJson))
                .map(rows -> rows.size() == 0 ? null : Changed.of(rows.iterator().next()));
    }
}
