package io.wagateway.forwarding;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The SQL of event forwarding: each tenant's target and its cursor in the durable log, shared by
 * the replicas. A replica works on a tenant only while it holds the row's lease, and every write
 * of a batch is conditional on that lease and on the configuration it started with
 * ({@code generation}): a replica whose lease ran out, or whose tenant was reconfigured or
 * deleted meanwhile, cannot move the cursor, and stops.
 */
@ApplicationScoped
public class ForwardingStore {

    /** The tenant's forwarding as an admin sees it; the secret never leaves the store this way. */
    public record Settings(String url, List<String> events, long lastDeliveredSeq, Instant createdAt,
                           Instant updatedAt) {}

    /** Where a tenant's forwarding stands. */
    public record Standing(long lastDeliveredSeq, long lastSeq, String lastError, Instant lastErrorAt,
                           int failedAttempts, Instant nextAttemptAt) {}

    /** A tenant this replica leased: what it needs to forward its next batch. */
    public record Lease(String tenant, String url, List<String> events, String secret, long cursor, long generation,
                        int attempts, long lastSeq) {
        /** This lease after a delivery: the failures in a row start again from none. */
        Lease delivered() {
            return attempts == 0 ? this : new Lease(tenant, url, events, secret, cursor, generation, 0, lastSeq);
        }

        @Override
        public String toString() { // keeps the secret out of logs
            return "Lease[" + tenant + " after " + cursor + "]";
        }
    }

    private static final String SETTINGS = "url, events, last_delivered_seq, created_at, updated_at";

    private final Pool pool;

    public ForwardingStore(Pool pool) {
        this.pool = pool;
    }

    /**
     * Creates or replaces the tenant's forwarding. The cursor starts at {@code fromSeq}, or for a new
     * row at the tenant's current seq; a replaced row keeps its cursor unless {@code fromSeq} is
     * given, so that changing the URL or the secret loses nothing. Retries start afresh.
     */
    public Uni<Settings> put(String tenant, String url, List<String> events, String secret, Long fromSeq) {
        return pool.withTransaction(connection -> connection
                .preparedQuery("insert into tenant (id) values ($1) on conflict (id) do nothing")
                .execute(Tuple.of(tenant))
                .chain(() -> connection.preparedQuery("""
                                insert into forwarding (tenant_id, url, events, secret, last_delivered_seq)
                                select $1, $2, $3, $4, coalesce($5::bigint, t.last_seq) from tenant t where t.id = $1
                                on conflict (tenant_id) do update
                                   set url = excluded.url, events = excluded.events, secret = excluded.secret,
                                       last_delivered_seq = coalesce($5::bigint, forwarding.last_delivered_seq),
                                       generation = forwarding.generation + 1, attempts = 0, next_attempt_at = now(),
                                       last_error = null, last_error_kind = null, last_error_at = null,
                                       updated_at = now()
                                returning\s""" + SETTINGS)
                        .execute(Tuple.of(tenant, url, events.toArray(String[]::new), secret, fromSeq)))
                .map(rows -> settings(rows.iterator().next())));
    }

    /** The tenant's current seq (0 for a tenant without events). */
    public Uni<Long> lastSeq(String tenant) {
        return pool.preparedQuery("select last_seq from tenant where id = $1").execute(Tuple.of(tenant))
                .map(rows -> rows.size() == 0 ? 0L : rows.iterator().next().getLong(0));
    }

    /** The tenant's forwarding, or null when it has none. */
    public Uni<Settings> find(String tenant) {
        return pool.preparedQuery("select " + SETTINGS + " from forwarding where tenant_id = $1")
                .execute(Tuple.of(tenant))
                .map(rows -> rows.size() == 0 ? null : settings(rows.iterator().next()));
    }

    /** @return whether the tenant had forwarding */
    public Uni<Boolean> delete(String tenant) {
        return pool.preparedQuery("delete from forwarding where tenant_id = $1").execute(Tuple.of(tenant))
                .map(rows -> rows.rowCount() > 0);
    }

    /** Where the tenant's forwarding stands, or null when it has none. */
    public Uni<Standing> standing(String tenant) {
        return pool.preparedQuery("""
                        select f.last_delivered_seq, t.last_seq, f.last_error, f.last_error_at, f.attempts,
                               f.next_attempt_at
                          from forwarding f join tenant t on t.id = f.tenant_id where f.tenant_id = $1""")
                .execute(Tuple.of(tenant))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return null;
                    }
                    Row row = rows.iterator().next();
                    return new Standing(row.getLong(0), row.getLong(1), row.getString(2), instant(row, 3),
                            row.getInteger(4), row.getInteger(4) > 0 ? instant(row, 5) : null);
                });
    }

    /** Every forwarding tenant's lag in events (its seq minus its cursor), for the gauges. */
    public Uni<Map<String, Long>> lags() {
        return pool.query("""
                        select f.tenant_id, greatest(t.last_seq - f.last_delivered_seq, 0)
                          from forwarding f join tenant t on t.id = f.tenant_id""")
                .execute()
                .map(rows -> {
                    Map<String, Long> lags = new HashMap<>();
                    rows.forEach(row -> lags.put(row.getString(0), row.getLong(1)));
                    return lags;
                });
    }

    /**
     * Leases up to {@code limit} tenants that have events past their cursor, are due (not waiting for
     * a retry) and are not leased by a live replica. {@code skip locked}: two replicas polling at the
     * same moment take different tenants, never the same one.
     */
    public Uni<List<Lease>> lease(String instance, Duration lease, int limit) {
        return pool.preparedQuery("""
                        update forwarding f
                           set leased_by = $1, lease_until = clock_timestamp() + $2 * interval '1 millisecond'
                          from tenant t
                         where t.id = f.tenant_id
                           and f.tenant_id in (
                               select d.tenant_id from forwarding d join tenant dt on dt.id = d.tenant_id
                                where dt.last_seq > d.last_delivered_seq and d.next_attempt_at <= now()
                                  and (d.lease_until is null or d.lease_until < clock_timestamp())
                                order by d.next_attempt_at
                                limit $3
                                  for update of d skip locked)
                        returning f.tenant_id, f.url, f.events, f.secret, f.last_delivered_seq, f.generation,
                                  f.attempts, t.last_seq""")
                .execute(Tuple.of(instance, lease.toMillis(), limit))
                .map(rows -> {
                    List<Lease> leases = new ArrayList<>(rows.size());
                    for (Row row : rows) {
                        leases.add(new Lease(row.getString(0), row.getString(1), Arrays.asList(row.getArrayOfStrings(2)),
                                row.getString(3), row.getLong(4), row.getLong(5), row.getInteger(6), row.getLong(7)));
                    }
                    return leases;
                });
    }

    /**
     * Moves the cursor to {@code seq} after a delivery (or past events the filter skips) and renews
     * the lease; a delivery error is over, a note about skipped events stays.
     *
     * @return false when the lease or the configuration is no longer this batch's: stop
     */
    public Uni<Boolean> advance(Lease lease, String instance, long seq, Duration renewal) {
        return pool.preparedQuery("""
                        update forwarding
                           set last_delivered_seq = $4, attempts = 0,
                               last_error = case when last_error_kind = 'delivery' then null else last_error end,
                               last_error_at = case when last_error_kind = 'delivery' then null else last_error_at end,
                               last_error_kind = case when last_error_kind = 'delivery' then null else last_error_kind end,
                               lease_until = clock_timestamp() + $5 * interval '1 millisecond', updated_at = now()
                         where tenant_id = $1 and leased_by = $2 and generation = $3 and last_delivered_seq < $4""")
                .execute(Tuple.of(lease.tenant(), instance, lease.generation(), seq, renewal.toMillis()))
                .map(rows -> rows.rowCount() == 1);
    }

    /** Moves the cursor past events that were trimmed from the log before they were forwarded, and says so. */
    public Uni<Boolean> skipTrimmed(Lease lease, String instance, long seq, String note) {
        return pool.preparedQuery("""
                        update forwarding
                           set last_delivered_seq = $4, last_error = $5, last_error_kind = 'skipped',
                               last_error_at = now(), updated_at = now()
                         where tenant_id = $1 and leased_by = $2 and generation = $3 and last_delivered_seq < $4""")
                .execute(Tuple.of(lease.tenant(), instance, lease.generation(), seq, note))
                .map(rows -> rows.rowCount() == 1);
    }

    /**
     * A POST failed: the cursor moves past the events the filter skipped before it ({@code skippedUpTo}),
     * the next attempt waits {@code retryIn}, and the lease is given up.
     */
    public Uni<Void> failed(Lease lease, String instance, long skippedUpTo, String error, Duration retryIn) {
        return pool.preparedQuery("""
                        update forwarding
                           set last_delivered_seq = greatest(last_delivered_seq, $4), attempts = attempts + 1,
                               next_attempt_at = clock_timestamp() + $5 * interval '1 millisecond',
                               last_error = $6, last_error_kind = 'delivery', last_error_at = now(),
                               leased_by = null, lease_until = null, updated_at = now()
                         where tenant_id = $1 and leased_by = $2 and generation = $3""")
                .execute(Tuple.of(lease.tenant(), instance, lease.generation(), skippedUpTo, retryIn.toMillis(), error))
                .replaceWithVoid();
    }

    /** Gives the lease up: the batch is done, and the next poll of any replica takes what is left. */
    public Uni<Void> release(String tenant, String instance) {
        return pool.preparedQuery("""
                        update forwarding set leased_by = null, lease_until = null
                         where tenant_id = $1 and leased_by = $2""")
                .execute(Tuple.of(tenant, instance))
                .replaceWithVoid();
    }

    private static Settings settings(Row row) {
        return new Settings(row.getString(0), Arrays.asList(row.getArrayOfStrings(1)), row.getLong(2),
                instant(row, 3), instant(row, 4));
    }

    private static Instant instant(Row row, int column) {
        OffsetDateTime value = row.getOffsetDateTime(column);
        return value == null ? null : value.toInstant();
    }
}
