package io.wagateway.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/** The SQL of {@code webhook_failure}: webhook items that could not be turned into state. */
@ApplicationScoped
public class WebhookFailureStore {

    /**
     * An item that could not be stored.
     *
     * @param phoneNumberId the number it came for (null when the delivery did not say)
     * @param delivery      the item as a delivery of its own, for a replay (null when unreadable as a whole)
     */
    public record Failed(String reason, String phoneNumberId, JsonNode delivery, JsonNode item) {}

    /** A kept item as the admin API lists it. */
    public record Kept(long id, Instant receivedAt, String phoneNumberId, String error, Instant replayedAt,
                       JsonNode delivery) {}

    private final Pool pool;
    private final ObjectMapper json;

    public WebhookFailureStore(Pool pool, ObjectMapper json) {
        this.pool = pool;
        this.json = json;
    }

    /** Kept with the tenant that owns its number, if any (then its admins can list and replay it). */
    public Uni<Void> insert(Failed failed) {
        return pool.preparedQuery("""
                        insert into webhook_failure (reason, item, phone_number_id, delivery, tenant_id)
                        values ($1, cast($2::text as jsonb), $3, cast($4::text as jsonb),
                                (select tenant_id from phone_number where phone_number_id = $3))""")
                .execute(Tuple.of(failed.reason(), failed.item().toString(), failed.phoneNumberId(),
                        failed.delivery() == null ? null : failed.delivery().toString()))
                .replaceWithVoid();
    }

    /** The tenant's kept items, newest first, with ids below {@code before} (null: from the newest). */
    public Uni<List<Kept>> page(String tenant, Long before, int limit) {
        return pool.preparedQuery("""
                        select id, received_at, phone_number_id, reason, replayed_at, null::text from webhook_failure
                         where tenant_id = $1 and ($2::bigint is null or id < $2)
                         order by id desc limit $3""")
                .execute(Tuple.of(tenant, before, limit))
                .map(rows -> {
                    List<Kept> page = new ArrayList<>(rows.size());
                    rows.forEach(row -> page.add(kept(row)));
                    return page;
                });
    }

    /** The tenant's kept item, with its delivery; null when it is not the tenant's (or does not exist). */
    public Uni<Kept> find(String tenant, long id) {
        return pool.preparedQuery("""
                        select id, received_at, phone_number_id, reason, replayed_at, delivery::text from webhook_failure
                         where tenant_id = $1 and id = $2""")
                .execute(Tuple.of(tenant, id))
                .map(rows -> rows.size() == 0 ? null : kept(rows.iterator().next()));
    }

    /** After a replay: stored ({@code error} null, replayed now) or failed again (the new error). */
    public Uni<Kept> replayed(long id, String error) {
        return pool.preparedQuery("""
                        update webhook_failure
                           set replayed_at = case when $2::text is null then coalesce(replayed_at, now()) else replayed_at end,
                               reason = coalesce($2, reason)
                         where id = $1
                        returning id, received_at, phone_number_id, reason, replayed_at, null::text""")
                .execute(Tuple.of(id, error))
                .map(rows -> kept(rows.iterator().next()));
    }

    private Kept kept(Row row) {
        String delivery = row.getString(5);
        try {
            return new Kept(row.getLong(0), instant(row.getOffsetDateTime(1)), row.getString(2), row.getString(3),
                    instant(row.getOffsetDateTime(4)), delivery == null ? null : json.readTree(delivery));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("webhook_failure.delivery is not JSON", e); // jsonb: cannot happen
        }
    }

    private static Instant instant(OffsetDateTime at) {
        return at == null ? null : at.toInstant();
    }
}
