package io.wagateway.fanout;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Reads the durable event log with the reactive client: for catch-up after a doorbell and for resume. */
@ApplicationScoped
public class EventReader {

    private final Pool pool;

    public EventReader(Pool pool) {
        this.pool = pool;
    }

    /** Events with {@code after < seq <= upTo}, in seq order, at most {@code limit}. */
    public Uni<List<DurableEvent>> read(String tenant, long after, long upTo, int limit) {
        return pool.preparedQuery("""
                        select seq, name, audience, conversation_id, contact_id, user_id, payload::text,
                               extract(epoch from clock_timestamp() - created_at)
                          from event where tenant_id = $1 and seq > $2 and seq <= $3 order by seq limit $4""")
                .execute(Tuple.of(tenant, after, upTo, limit))
                .map(rows -> {
                    List<DurableEvent> events = new ArrayList<>(rows.size());
                    long now = System.nanoTime();
                    for (Row row : rows) {
                        // the event's age by the database's clock (created_at is its transaction's
                        // start), so that no two machines' clocks are compared
                        Number age = (Number) row.getValue(7);
                        long committed = age == null ? DurableEvent.UNKNOWN : now - (long) (age.doubleValue() * 1e9);
                        events.add(new DurableEvent(tenant, row.getLong(0), row.getString(1),
                                Audience.valueOf(row.getString(2)), row.getUUID(3), row.getUUID(4), row.getString(5),
                                row.getString(6), committed, true));
                    }
                    return events;
                });
    }

    /** The tenant's committed seq: every event up to it is in the table (or trimmed). */
    public Uni<Long> lastSeq(String tenant) {
        return pool.preparedQuery("select last_seq from tenant where id = $1").execute(Tuple.of(tenant))
                .map(rows -> rows.size() == 0 ? 0L : rows.iterator().next().getLong(0));
    }

    /** The committed seq of each of these tenants (those that exist). */
    public Uni<Map<String, Long>> lastSeqs(String[] tenants) {
        return pool.preparedQuery("select id, last_seq from tenant where id = any($1)").execute(Tuple.of(tenants))
                .map(rows -> {
                    Map<String, Long> seqs = new HashMap<>();
                    rows.forEach(row -> seqs.put(row.getString(0), row.getLong(1)));
                    return seqs;
                });
    }

    /** The oldest seq still retained, or null when the tenant has no events left. */
    public Uni<Long> oldestSeq(String tenant) {
        return pool.preparedQuery("select min(seq) from event where tenant_id = $1").execute(Tuple.of(tenant))
                .map(rows -> rows.iterator().next().getLong(0));
    }
}
