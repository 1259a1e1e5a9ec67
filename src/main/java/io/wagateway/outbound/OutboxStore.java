package io.wagateway.outbound;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.wagateway.config.AppConfig;
import io.wagateway.config.CombinedWrite;
import io.wagateway.config.InstanceId;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The outbox table: sends, and read marks / typing indicators, which must survive Meta outages
 * just the same. A row is owned by this instance at once when nothing earlier is pending for its
 * recipient (the caller dispatches it after commit); otherwise a later claim takes it, one row
 * per recipient at a time, so a customer gets messages in the order they were sent.
 */
@ApplicationScoped
public class OutboxStore {

    private static final Logger LOG = Logger.getLogger(OutboxStore.class);
    private static final int CLAIM_BATCH = 100;

    /** In a {@link CombinedWrite} that enqueues: the main query's expression for the rows owned at once. */
    public static final String HEADS = "array(select id from enqueued where head)";

    /** A row to enqueue; {@code messageId} is null for a read mark. */
    public record NewRow(UUID numberId, String phoneNumberId, String accessToken, UUID messageId, String kind,
                         String recipient, ObjectNode payload) {}

    /** Rows added to a {@link CombinedWrite}; which ones to dispatch is known once it ran. */
    public record Enqueued(String tenant, List<NewRow> rows, UUID[] ids) {

        /**
         * @param heads what the statement's {@link #HEADS} returned
         * @return per row, in order, the job to dispatch after commit, or null
         */
        public List<OutboxJob> jobs(UUID[] heads) {
            Set<UUID> owned = Set.of(heads);
            List<OutboxJob> jobs = new ArrayList<>(rows.size());
            for (int i = 0; i < rows.size(); i++) {
                NewRow row = rows.get(i);
                jobs.add(owned.contains(ids[i]) ? new OutboxJob(ids[i], tenant, row.phoneNumberId(), row.accessToken(),
                        row.messageId(), row.kind(), row.recipient(), row.payload(), 0) : null);
            }
            return jobs;
        }
    }

    private final Pool pool;
    private final ObjectMapper json;
    private final String instance;
    private final Duration lock;

    public OutboxStore(Pool pool, ObjectMapper json, InstanceId instanceId, AppConfig config) {
        this.pool = pool;
        this.json = json;
        this.instance = instanceId.value();
        this.lock = Duration.ofSeconds(Math.max(1, config.whatsapp().sendLock().toSeconds()));
    }

    /**
     * Adds the rows to a write that the caller runs inside its transaction, with {@link #HEADS} in
     * its main query (its message rows may be inserted by the same statement). Within the batch only
     * a recipient's first row can be first in line.
     */
    public Enqueued enqueueIn(CombinedWrite write, String tenant, List<NewRow> rows) {
        int n = rows.size();
        UUID[] ids = new UUID[n];
        UUID[] numbers = new UUID[n];
        UUID[] messages = new UUID[n];
        String[] kinds = new String[n];
        String[] recipients = new String[n];
        String[] payloads = new String[n];
        Boolean[] first = new Boolean[n];
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < n; i++) {
            NewRow row = rows.get(i);
            ids[i] = UUID.randomUUID();
            numbers[i] = row.numberId();
            messages[i] = row.messageId();
            kinds[i] = row.kind();
            recipients[i] = row.recipient();
            payloads[i] = row.payload().toString();
            first[i] = seen.add(row.numberId() + "/" + row.recipient());
        }
        write.part("enqueued", """
                        insert into outbox (id, tenant_id, phone_number_id, message_id, kind, recipient, payload,
                                            locked_until, locked_by)
                        select o.id, $1, o.number, o.message, o.kind, o.recipient, cast(o.payload as jsonb),
                               case when h.head then now() + make_interval(secs => $2) end,
                               case when h.head then $3 end
                          from unnest($4::uuid[], $5::uuid[], $6::uuid[], $7::text[], $8::text[], $9::text[],
                                      $10::bool[]) as o(id, number, message, kind, recipient, payload, first)
                         cross join lateral (select o.first and not exists (select 1 from outbox e
                                where e.phone_number_id = o.number and e.recipient = o.recipient) as head) h
                        returning id, locked_by is not null as head""",
                tenant, (double) lock.toSeconds(), instance, ids, numbers, messages, kinds, recipients, payloads,
                first);
        return new Enqueued(tenant, rows, ids);
    }

    /** One row on its own, inside the caller's transaction: the job to dispatch after commit, or null. */
    public Uni<OutboxJob> enqueue(SqlConnection connection, String tenant, NewRow row) {
        CombinedWrite write = new CombinedWrite();
        Enqueued enqueued = enqueueIn(write, tenant, List.of(row));
        return write.execute(connection, "select " + HEADS)
                .map(rows -> enqueued.jobs(rows.iterator().next().getArrayOfUUIDs(0)).get(0));
    }

    /** Claims due rows that nobody owns. */
    public Uni<List<OutboxJob>> claimDue() {
        return claim("true", Tuple.of(instance));
    }

    /** Claims one row (its retry is due). */
    public Uni<List<OutboxJob>> claim(UUID id) {
        return claim("o.id = $2", Tuple.of(instance, id));
    }

    /** Claims the next row for the recipient of {@code job}, if one waits: null otherwise. */
    public Uni<OutboxJob> claimNextFor(OutboxJob job) {
        return claim("o.phone_number_id = (select id from phone_number where phone_number_id = $2) and o.recipient = $3",
                Tuple.of(instance, job.phoneNumberId(), job.recipient()))
                .map(jobs -> jobs.isEmpty() ? null : jobs.get(0));
    }

    /**
     * Locks due, unowned rows matching {@code filter} that are first in line for their recipient,
     * and returns them with their number's credentials. SKIP LOCKED lets instances claim together.
     */
    private Uni<List<OutboxJob>> claim(String filter, Tuple params) {
        String sql = """
                update outbox o set locked_until = now() + make_interval(secs => %d), locked_by = $1
                  from phone_number p
                 where p.id = o.phone_number_id
                   and o.id in (select o.id from outbox o
                                 where %s and o.next_attempt_at <= now()
                                   and (o.locked_until is null or o.locked_until < now())
                                   and not exists (select 1 from outbox e
                                        where e.phone_number_id = o.phone_number_id and e.recipient = o.recipient
                                          and (e.created_at, e.id) < (o.created_at, o.id))
                                 order by o.next_attempt_at limit %d for update of o skip locked)
                returning o.id, o.tenant_id, p.phone_number_id, p.access_token, o.message_id, o.kind, o.recipient,
                          o.payload::text, o.attempts""".formatted(lock.toSeconds(), filter, CLAIM_BATCH);
        return pool.preparedQuery(sql).execute(params).map(this::jobs);
    }

    private List<OutboxJob> jobs(RowSet<Row> rows) {
        List<OutboxJob> jobs = new ArrayList<>(rows.size());
        for (Row row : rows) {
            try {
                jobs.add(new OutboxJob(row.getUUID(0), row.getString(1), row.getString(2), row.getString(3),
                        row.getUUID(4), row.getString(5), row.getString(6), json.readTree(row.getString(7)),
                        row.getInteger(8)));
            } catch (Exception e) {
                LOG.errorf("unreadable outbox row %s: %s", row.getUUID(0), e.getMessage());
            }
        }
        return jobs;
    }

    /** Gives a row back for another attempt after {@code delay}. */
    public Uni<Void> retryLater(OutboxJob job, int attempts, Duration delay, String lastError) {
        return pool.preparedQuery("""
                        update outbox set attempts = $2, next_attempt_at = now() + make_interval(secs => $3),
                               locked_until = null, locked_by = null, last_error = $4 where id = $1""")
                .execute(Tuple.of(job.id(), attempts, delay.toMillis() / 1000.0, lastError))
                .replaceWithVoid();
    }

    /**
     * Deletes delivered (or given up) rows inside the caller's transaction, and returns the
     * recipients ({@code phoneNumberId/recipient}) for whom a later row now waits.
     */
    public Uni<Set<String>> delete(SqlConnection connection, UUID[] ids) {
        // the outer select still sees the deleted rows (one snapshot per statement): hence "<> all"
        return connection.preparedQuery("""
                        with gone as (delete from outbox where id = any($1) returning phone_number_id, recipient)
                        select distinct p.phone_number_id, o.recipient
                          from gone join outbox o on o.phone_number_id = gone.phone_number_id
                                                 and o.recipient = gone.recipient
                          join phone_number p on p.id = o.phone_number_id
                         where o.id <> all($1)""")
                .execute(Tuple.of(ids))
                .map(rows -> {
                    Set<String> waiting = new HashSet<>();
                    rows.forEach(row -> waiting.add(waitingKey(row.getString(0), row.getString(1))));
                    return waiting;
                });
    }

    /**
     * A row on its own, outside any other write (a read mark delivered or given up): one statement;
     * the caller claims the recipient's next row itself, so who waits is not asked.
     */
    public Uni<Void> delete(OutboxJob job) {
        return pool.preparedQuery("delete from outbox where id = $1").execute(Tuple.of(job.id())).replaceWithVoid();
    }

    /** How {@link #delete} names a recipient. */
    public static String waitingKey(String phoneNumberId, String recipient) {
        return phoneNumberId + "/" + recipient;
    }
}
