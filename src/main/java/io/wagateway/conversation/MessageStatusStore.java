package io.wagateway.conversation;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.ZoneOffset;
import java.util.UUID;

/** Message statuses as Meta reports them, inside the caller's transaction. */
@ApplicationScoped
public class MessageStatusStore {

    /** A message whose status moved, and where its conversation's events go. */
    public record Advanced(UUID messageId, UUID conversationId, String tenant, UUID contactId, String assignee) {

        static Advanced of(Row row) {
            return new Advanced(row.getUUID(0), row.getUUID(1), row.getString(2), row.getUUID(3), row.getString(4));
        }
    }

    /** A send whose WhatsApp id was lost (crash after Meta accepted it) gets it from the callback data. */
    public Uni<Void> reconcile(SqlConnection connection, UUID messageId, String waMessageId) {
        return connection.preparedQuery("""
                        update message set wa_message_id = $1
                         where id = $2 and wa_message_id is null and direction = 'outbound'
                           and not exists (select 1 from message where wa_message_id = $1)""")
                .execute(Tuple.of(waMessageId, messageId))
                .replaceWithVoid();
    }

    /**
     * Moves the message's status forward only: pending < sent < delivered < read < played;
     * {@code failed} only from pending or sent, and final. Null when nothing moved.
     */
    public Uni<Advanced> advance(SqlConnection connection, StatusUpdate update, String errorJson) {
        return connection.preparedQuery("""
                        update message m
                           set status = $1, status_at = $2, error = coalesce(cast($3::text as jsonb), m.error)
                          from conversation c
                         where m.wa_message_id = $4 and c.id = m.conversation_id
                           and m.status <> 'failed'
                           and case when $1 = 'failed' then m.status in ('pending', 'sent')
                                    else array_position(array['pending','sent','delivered','read','played'], m.status)
                                       < array_position(array['pending','sent','delivered','read','played'], $1)
                               end
                        returning m.id, m.conversation_id, m.tenant_id, c.contact_id, c.assignee_id""")
                .execute(Tuple.of(update.status(), update.timestamp().atOffset(ZoneOffset.UTC), errorJson,
                        update.waMessageId()))
                .map(rows -> rows.size() == 0 ? null : Advanced.of(rows.iterator().next()));
    }

    public Uni<Boolean> exists(SqlConnection connection, String waMessageId) {
        return connection.preparedQuery("select exists (select 1 from message where wa_message_id = $1)")
                .execute(Tuple.of(waMessageId))
                .map(rows -> rows.iterator().next().getBoolean(0));
    }
}
