package io.wagateway.collaboration;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.util.UUID;

/** The SQL of reads, assignments and status changes, inside the caller's transaction. */
@ApplicationScoped
public class CollaborationStore {

    /** A conversation as its writers check it; locked by {@link #lock}. */
    public record Locked(UUID id, UUID contactId, String assignee) {}

    /** A message's place in its conversation: what a read moves to. */
    public record MessageRef(UUID id, OffsetDateTime ts, long pos, boolean inbound) {}

    /**
     * The tenant's conversation, locked for this transaction (no key update: the row stays
     * referable), or null. Lock first, count after: under READ COMMITTED a statement's snapshot is
     * taken before it waits for a lock, and would miss what the lock holder committed meanwhile.
     */
    public Uni<Locked> lock(SqlConnection connection, String tenant, UUID conversationId) {
        return connection.preparedQuery("""
                        select id, contact_id, assignee_id from conversation
                         where id = $1 and tenant_id = $2 for update""")
                .execute(Tuple.of(conversationId, tenant))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return null;
                    }
                    Row row = rows.iterator().next();
                    return new Locked(row.getUUID(0), row.getUUID(1), row.getString(2));
                });
    }

    public Uni<MessageRef> message(SqlConnection connection, UUID conversationId, UUID messageId) {
        return connection.preparedQuery("""
                        select id, ts, pos, direction = 'inbound' from message where id = $1 and conversation_id = $2""")
                .execute(Tuple.of(messageId, conversationId))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return null;
                    }
                    Row row = rows.iterator().next();
                    return new MessageRef(row.getUUID(0), row.getOffsetDateTime(1), row.getLong(2), row.getBoolean(3));
                });
    }

    /**
     * The conversation is read up to the message: its unread count becomes the number of inbound
     * messages after it. Never backwards: false when it was read that far already.
     */
    public Uni<Boolean> markRead(SqlConnection connection, UUID conversationId, MessageRef upTo) {
        return connection.preparedQuery("""
                        update conversation c
                           set read_up_to_ts = $1, read_up_to_pos = $2, updated_at = now(),
                               unread_count = (select count(*) from message m
                                                where m.conversation_id = c.id and m.direction = 'inbound'
                                                  and (m.ts, m.pos) > ($1, $2))
                         where c.id = $3
                           and (c.read_up_to_ts is null or (c.read_up_to_ts, c.read_up_to_pos) < ($1, $2))""")
                .execute(Tuple.of(upTo.ts(), upTo.pos(), conversationId))
                .map(rows -> rows.rowCount() > 0);
    }

    /**
     * The WhatsApp id of the newest inbound message up to {@code upTo} (the message itself when it
     * is inbound), or of the newest inbound message when {@code upTo} is null: what WhatsApp marks read.
     */
    public Uni<String> latestInbound(SqlConnection connection, UUID conversationId, MessageRef upTo) {
        return connection.preparedQuery("""
                        select wa_message_id from message
                         where conversation_id = $1 and direction = 'inbound'
                           and ($2::timestamptz is null or (ts, pos) <= ($2, $3))
                         order by ts desc, pos desc limit 1""")
                .execute(Tuple.of(conversationId, upTo == null ? null : upTo.ts(), upTo == null ? null : upTo.pos()))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString(0));
    }

    public Uni<Boolean> agentExists(SqlConnection connection, String tenant, String agentId) {
        return connection.preparedQuery("select exists (select 1 from agent where tenant_id = $1 and id = $2)")
                .execute(Tuple.of(tenant, agentId))
                .map(rows -> rows.iterator().next().getBoolean(0));
    }

    /** Sets the (locked) conversation's status; false when it had that status already. */
    public Uni<Boolean> setStatus(SqlConnection connection, UUID conversationId, String status) {
        return connection.preparedQuery("""
                        update conversation set status = $2, updated_at = now() where id = $1 and status <> $2""")
                .execute(Tuple.of(conversationId, status))
                .map(rows -> rows.rowCount() > 0);
    }

    /** Assigns the conversation, and records when the agent was last given one (round-robin). */
    public Uni<Void> assign(SqlConnection connection, String tenant, UUID conversationId, String agentId) {
        return connection.preparedQuery("""
                        with agent_row as (update agent set last_assigned_at = now()
                                            where tenant_id = $1 and id = $3 returning id)
                        update conversation set assignee_id = $3, updated_at = now()
                         where id = $2 and exists (select 1 from agent_row)""")
                .execute(Tuple.of(tenant, conversationId, agentId))
                .replaceWithVoid();
    }
}
