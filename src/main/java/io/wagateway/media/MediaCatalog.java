package io.wagateway.media;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The SQL of the {@code media} table: lookups, the download job's claims and retries, and the
 * status changes (inside the caller's transaction, with the message's own {@code media} JSON, so that
 * a message read afterwards shows what the push said).
 */
@ApplicationScoped
public class MediaCatalog {

    static final String COLUMNS = """
            m.id, m.tenant_id, m.direction, m.message_id, m.status, m.mime_type, m.filename, m.size, m.sha256, m.store,
            m.chunk_size, m.meta_media_id, m.phone_number_id""";

    /** A claimed download: the media, the number whose token fetches it, and what the webhook said. */
    public record Download(MediaRow media, String phoneNumberId, String accessToken, String metaSha256, int attempts) {}

    private final Pool pool;

    public MediaCatalog(Pool pool) {
        this.pool = pool;
    }

    public Uni<MediaRow> find(UUID id) {
        return pool.preparedQuery("select " + COLUMNS + " from media m where m.id = $1").execute(Tuple.of(id))
                .map(rows -> rows.size() == 0 ? null : row(rows.iterator().next()));
    }

    /** The media of the tenant, inside a transaction (a send reading the upload it names); null if none. */
    public Uni<MediaRow> find(SqlConnection connection, String tenant, UUID id) {
        return connection.preparedQuery("select " + COLUMNS + " from media m where m.id = $1 and m.tenant_id = $2")
                .execute(Tuple.of(id, tenant))
                .map(rows -> rows.size() == 0 ? null : row(rows.iterator().next()));
    }

    /**
     * Takes up to {@code limit} due downloads nobody owns (never run, due for a retry, or left by a
     * replica that died: its lock expired), locked for this instance.
     */
    public Uni<List<Download>> claimDue(String instance, Duration lock, int limit) {
        return pool.preparedQuery("""
                        with due as (
                            select id from media
                             where status = 'pending' and next_attempt_at <= now()
                               and (locked_until is null or locked_until < now())
                             order by next_attempt_at limit $3 for update skip locked)
                        update media m set locked_until = now() + make_interval(secs => $2), locked_by = $1
                          from due where m.id = due.id
                        returning\s""" + COLUMNS + """
                        , (select p.phone_number_id from phone_number p where p.id = m.phone_number_id),
                          (select p.access_token from phone_number p where p.id = m.phone_number_id),
                          m.meta_sha256, m.attempts""")
                .execute(Tuple.of(instance, (double) lock.toSeconds(), limit))
                .map(rows -> {
                    List<Download> claimed = new ArrayList<>(rows.size());
                    for (Row row : rows) {
                        claimed.add(new Download(row(row), row.getString(13), row.getString(14), row.getString(15),
                                row.getInteger(16)));
                    }
                    return claimed;
                });
    }

    /** A retryable failure: due again after the delay, for any replica. */
    public Uni<Void> retryLater(UUID id, String instance, int attempts, Duration delay, String error) {
        return pool.preparedQuery("""
                        update media set attempts = $3, next_attempt_at = now() + make_interval(secs => $4),
                                         locked_until = null, locked_by = null, last_error = $5
                         where id = $1 and locked_by = $2""")
                .execute(Tuple.from(new Object[] {id, instance, attempts, delay.toMillis() / 1000.0, error}))
                .replaceWithVoid();
    }

    /**
     * The media is stored (or given up): its row and its message's {@code media} JSON change
     * together. Returns the message id, or null when no message carries it (an upload not sent yet).
     */
    public Uni<UUID> settle(SqlConnection connection, UUID id, String status, Long size, String sha256,
                            String mimeType, String store, Integer chunkSize, String error) {
        return connection.preparedQuery("""
                        with changed as (
                            update media set status = $2, size = coalesce($3, size), sha256 = coalesce($4, sha256),
                                             mime_type = coalesce($5, mime_type), store = coalesce($6, store),
                                             chunk_size = coalesce($7, chunk_size), last_error = $8,
                                             stored_at = case when $2 = 'available' then now() else stored_at end,
                                             locked_until = null, locked_by = null
                             where id = $1 returning message_id, status, size, sha256, mime_type)
                        update message msg
                           set media = msg.media || jsonb_strip_nulls(jsonb_build_object('status', changed.status,
                                   'size', changed.size, 'sha256', changed.sha256, 'mimeType', changed.mime_type))
                          from changed where msg.id = changed.message_id
                        returning msg.id""")
                .execute(Tuple.from(new Object[] {id, status, size, sha256, mimeType, store, chunkSize, error}))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getUUID(0));
    }

    /**
     * An agent's upload, before its bytes are stored (their rows need it): {@code unavailable} until
     * {@link #uploadStored}, so that neither the download job nor a reader takes it meanwhile.
     */
    public Uni<Void> insertUpload(MediaRow media) {
        return pool.preparedQuery("""
                        insert into media (id, tenant_id, direction, phone_number_id, meta_media_id, mime_type,
                                           filename, size, sha256, status, store)
                        values ($1, $2, 'outbound', $3, $4, $5, $6, $7, $8, 'unavailable', $9)""")
                .execute(Tuple.from(new Object[] {media.id(), media.tenant(), media.phoneNumberId(),
                        media.metaMediaId(), media.mimeType(), media.filename(), media.size(),
                        media.sha256(), media.store()}))
                .replaceWithVoid();
    }

    /** The upload's bytes are in the store: available from now on. */
    public Uni<Void> uploadStored(UUID id, Integer chunkSize) {
        return pool.preparedQuery("""
                        update media set status = 'available', chunk_size = $2, stored_at = now() where id = $1""")
                .execute(Tuple.of(id, chunkSize)).replaceWithVoid();
    }

    /** Links an upload to the message that sends it (first send only: a resend shows the same file). */
    public Uni<Void> attach(SqlConnection connection, UUID mediaId, UUID messageId) {
        return connection.preparedQuery("update media set message_id = $2 where id = $1 and message_id is null")
                .execute(Tuple.of(mediaId, messageId)).replaceWithVoid();
    }

    /** Media stored before {@code cutoff}, a page of them, for the retention job. */
    public Uni<List<MediaRow>> olderThan(java.time.Instant cutoff, int limit) {
        return pool.preparedQuery("select " + COLUMNS + " from media m where m.created_at < $1"
                        + " and m.status <> 'unavailable' order by m.created_at limit $2")
                .execute(Tuple.of(cutoff.atOffset(java.time.ZoneOffset.UTC), limit))
                .map(rows -> {
                    List<MediaRow> found = new ArrayList<>(rows.size());
                    rows.forEach(row -> found.add(row(row)));
                    return found;
                });
    }

    static MediaRow row(Row row) {
        return new MediaRow(row.getUUID(0), row.getString(1), row.getString(2), row.getUUID(3), row.getString(4),
                row.getString(5), row.getString(6), row.getLong(7), row.getString(8), row.getString(9),
                row.getInteger(10), row.getString(11), row.getUUID(12));
    }
}
