package io.wagateway.outbound;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.smallrye.mutiny.tuples.Tuple2;
import io.wagateway.config.AppConfig;
import io.wagateway.config.CombinedWrite;
import io.wagateway.config.JsonText;
import io.wagateway.config.ReactiveContexts;
import io.wagateway.config.InstanceId;
import io.wagateway.fanout.DurableEvent;
import io.wagateway.fanout.EventLog;
import io.wagateway.fanout.FanoutService;
import io.wagateway.fanout.GroupCommit;
import io.wagateway.fanout.NewEvent;
import io.wagateway.metrics.GatewayMetrics;
import io.wagateway.phonenumber.PhoneNumber;
import io.wagateway.whatsapp.MetaError;
import io.wagateway.whatsapp.WhatsAppClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Delivers outbox rows to the Graph API. A row is sent by the instance that owns its lock: the
 * storing instance at once (fast path), or whichever instance's poll finds it due and unlocked
 * (retries, rows of a crashed instance, later sends to a recipient with one in flight). One send
 * per recipient is in flight at a time, so a customer gets messages in the order they were sent.
 * Retryable failures (network, timeout, 5xx, Meta's throttling codes) come back with exponential
 * backoff and jitter; permanent ones fail the message with Meta's code and details.
 *
 * <p>The one case that can still send twice: Meta accepted a message and this process died
 * before storing its WhatsApp id. Once the lock expires another instance sends it again. The
 * status webhooks of the first copy carry our message id in {@code biz_opaque_callback_data},
 * which is how the record is reconciled (see MessageStatusService); the duplicate itself cannot be
 * taken back, because the Graph API has no idempotency key.
 */
@ApplicationScoped
public class OutboxSender {

    private static final Logger LOG = Logger.getLogger(OutboxSender.class);
    private static final int BATCH = 100;
    /** Meta's pair limit is about one message per 6 s to the same user. */
    private static final Duration PAIR_RATE_DELAY = Duration.ofSeconds(6);

    /** A claimed outbox row, ready to send. */
    public record Job(UUID id, String tenant, String phoneNumberId, String accessToken, UUID messageId, String kind,
                      String recipient, JsonNode payload, int attempts) {}

    private final String instance;
    private final Pool pool;
    private final Vertx vertx;
    private final WhatsAppClient whatsapp;
    private final Throughput throughput;
    private final EventLog eventLog;
    private final FanoutService fanout;
    private final Event<SendOutcome> outcomes;
    private final ObjectMapper json;
    private final AppConfig.WhatsApp config;
    private final GroupCommit<Sent, Boolean> completions;
    private volatile boolean stopping;

    public OutboxSender(Pool pool, Vertx vertx, WhatsAppClient whatsapp, Throughput throughput, EventLog eventLog,
                        FanoutService fanout, Event<SendOutcome> outcomes, ObjectMapper json, AppConfig config,
                        InstanceId instanceId, GatewayMetrics metrics) {
        this.instance = instanceId.value();
        this.pool = pool;
        this.vertx = vertx;
        this.whatsapp = whatsapp;
        this.throughput = throughput;
        this.eventLog = eventLog;
        this.fanout = fanout;
        this.outcomes = outcomes;
        this.json = json;
        this.config = config.whatsapp();
        this.completions = new GroupCommit<>(vertx, BATCH, batch -> pool.withTransaction(c -> recordSent(c, batch)),
                fanout::publishCommitted, size -> metrics.groupCommit("sent", size));
    }

    public String instance() {
        return instance;
    }

    void start(@Observes StartupEvent event) {
        vertx.setTimer(200, id -> poll()); // resume what a previous run left pending
    }

    /** Stops taking new rows; what is in flight finishes (its lock protects it meanwhile). */
    public void stop() {
        stopping = true;
    }

    /** Sends a row this instance already owns (the fast path after the storing commit). */
    public void dispatch(Job job) {
        if (job == null || stopping) {
            return;
        }
        long wait = throughput.reserve(job.phoneNumberId());
        if (wait <= 0) {
            ReactiveContexts.runOnNewSafeContext(vertx, () -> run(send(job)));
        } else {
            vertx.setTimer(Math.max(1, wait / 1_000_000), id -> ReactiveContexts.runOnNewSafeContext(vertx, () -> run(send(job))));
        }
    }

    /** Claims due rows that nobody owns and sends them. */
    @Scheduled(every = "${app.whatsapp.outbox-poll-interval:1s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void poll() {
        if (stopping) {
            return;
        }
        claimDue().subscribe().with(jobs -> jobs.forEach(this::dispatch),
                failure -> LOG.warnf("outbox poll failed: %s", failure.getMessage()));
    }

    private Uni<Void> send(Job job) {
        PhoneNumber number = new PhoneNumber();
        number.phoneNumberId = job.phoneNumberId();
        number.accessToken = job.accessToken();
        Uni<String> call = "read".equals(job.kind())
                ? whatsapp.markRead(number, job.payload().path("message_id").asText(),
                        job.payload().has("typing_indicator")).replaceWith((String) null)
                : whatsapp.send(number, job.payload());
        return call.chain(wamid -> succeeded(job, wamid))
                .onFailure(MetaError.class).recoverWithUni(f -> failed(job, (MetaError) f))
                .onFailure().invoke(f -> LOG.errorf(f, "outbox row %s not recorded; it is retried after its lock expires",
                        job.id()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    private Uni<Void> succeeded(Job job, String wamid) {
        if (job.messageId() == null) {
            return delete(job).invoke(() -> next(job));
        }
        Instant now = Instant.now();
        return completions.submit(job.tenant(), new Sent(job, wamid, now))
                .invoke(moreWaiting -> {
                    outcomes.fire(new SendOutcome(job.messageId(), wamid, now, null));
                    if (moreWaiting) {
                        next(job);
                    }
                })
                .replaceWithVoid();
    }

    /** A send Meta accepted, to record. */
    private record Sent(Job job, String wamid, Instant at) {}

    /**
     * Records accepted sends of one tenant together (see {@link GroupCommit}): the message gets its
     * WhatsApp id and moves to {@code sent} (unless a status webhook was faster), the outbox row goes,
     * a {@code message_status_update} is appended. Per send: whether a later send to the same
     * recipient waits in the outbox, so that only then is the next one claimed.
     */
    private Uni<GroupCommit.Outcome> recordSent(SqlConnection connection, List<Sent> batch) {
        int n = batch.size();
        UUID[] messages = new UUID[n];
        String[] wamids = new String[n];
        UUID[] rows = new UUID[n];
        for (int i = 0; i < n; i++) {
            Job job = batch.get(i).job();
            messages[i] = job.messageId();
            wamids[i] = batch.get(i).wamid();
            rows[i] = job.id();
        }
        Map<UUID, Sent> byMessage = new HashMap<>();
        batch.forEach(sent -> byMessage.put(sent.job().messageId(), sent));
        Map<UUID, NewEvent> events = new HashMap<>(); // by message: none for a message that is gone
        Set<String> waiting = new HashSet<>();
        Uni<RowSet<Row>> update = connection.preparedQuery("""
                        update message m
                           set wa_message_id = coalesce(m.wa_message_id, v.wamid),
                               status = case when m.status = 'pending' then 'sent' else m.status end,
                               status_at = case when m.status = 'pending' then now() else m.status_at end
                          from unnest($1::uuid[], $2::text[]) as v(id, wamid), conversation c
                         where m.id = v.id and c.id = m.conversation_id
                        returning m.id, m.conversation_id, c.contact_id, c.assignee_id, m.wa_message_id""")
                .execute(Tuple.of(messages, wamids));
        return Uni.combine().all().unis(CombinedWrite.reusePlans(connection), update).asTuple() // pipelined
                .map(Tuple2::getItem2)
                .invoke(updated -> updated.forEach(row -> events.put(row.getUUID(0), statusEvent(row.getUUID(0),
                        row.getString(4), "sent", byMessage.get(row.getUUID(0)).at(), null, row.getUUID(1),
                        row.getUUID(2), row.getString(3)))))
                // the outer select still sees the deleted rows (one snapshot per statement): hence "<> all"
                .chain(() -> connection.preparedQuery("""
                                with gone as (delete from outbox where id = any($1) returning phone_number_id, recipient)
                                select distinct p.phone_number_id, o.recipient
                                  from gone join outbox o on o.phone_number_id = gone.phone_number_id
                                                         and o.recipient = gone.recipient
                                  join phone_number p on p.id = o.phone_number_id
                                 where o.id <> all($1)""")
                        .execute(Tuple.of(rows)))
                .invoke(found -> found.forEach(row -> waiting.add(row.getString(0) + "/" + row.getString(1))))
                .chain(() -> eventLog.append(connection, batch.get(0).job().tenant(), batch.stream()
                        .map(sent -> events.get(sent.job().messageId())).filter(Objects::nonNull).toList()))
                .map(appended -> new GroupCommit.Outcome(batch.stream().map(sent -> (Object) waiting.contains(
                        sent.job().phoneNumberId() + "/" + sent.job().recipient())).toList(), appended));
    }

    private Uni<Void> failed(Job job, MetaError error) {
        int attempts = job.attempts() + 1;
        if (error.retryable() && attempts < config.maxAttempts()) {
            Duration delay = error.pairRateLimited() ? PAIR_RATE_DELAY : backoff(attempts);
            LOG.infof("outbox row %s: attempt %d failed (%s, code %d), retrying in %d ms", job.id(), attempts,
                    error.getMessage(), error.code(), delay.toMillis());
            return pool.preparedQuery("""
                            update outbox set attempts = $2, next_attempt_at = now() + make_interval(secs => $3),
                                   locked_until = null, locked_by = null, last_error = $4 where id = $1""")
                    .execute(Tuple.of(job.id(), attempts, delay.toMillis() / 1000.0, describe(error)))
                    .invoke(() -> vertx.setTimer(Math.max(1, delay.toMillis()), id -> claimOne(job.id())))
                    .replaceWithVoid();
        }
        LOG.warnf("outbox row %s failed for good: %s (code %d)", job.id(), error.getMessage(), error.code());
        if (job.messageId() == null) {
            return delete(job).invoke(() -> next(job));
        }
        Map<String, Object> stored = new LinkedHashMap<>();
        stored.put("code", error.code());
        stored.put("title", error.getMessage());
        if (error.details() != null) {
            stored.put("details", error.details());
        }
        if (error.status() != 0) {
            stored.put("httpStatus", error.status());
        }
        Instant now = Instant.now();
        return Panache.withTransaction(() -> Panache.getSession().chain(session -> session.createNativeQuery("""
                                update message m set status = 'failed', status_at = now(),
                                       error = cast(cast(:error as text) as jsonb)
                                  from conversation c
                                 where m.id = :id and c.id = m.conversation_id and m.status = 'pending'
                                returning m.conversation_id, m.tenant_id, c.contact_id, c.assignee_id, m.status,
                                          m.wa_message_id""", Object[].class)
                        .setParameter("error", JsonText.of(json, stored))
                        .setParameter("id", job.messageId())
                        .getResultList()
                        .chain(rows -> deleteIn(session, job).replaceWith(rows))
                        .chain(rows -> rows.isEmpty() ? Uni.createFrom().item(List.<DurableEvent>of())
                                : eventLog.append((String) rows.get(0)[1], List.of(statusEvent(job.messageId(),
                                (String) rows.get(0)[5], "failed", now, stored, (UUID) rows.get(0)[0],
                                (UUID) rows.get(0)[2], (String) rows.get(0)[3]))))))
                .invoke(events -> {
                    fanout.publishCommitted(events);
                    outcomes.fire(new SendOutcome(job.messageId(), null, now, error));
                    next(job);
                })
                .replaceWithVoid();
    }

    private static NewEvent statusEvent(UUID messageId, String wamid, String status, Instant at,
                                        Map<String, Object> error, UUID conversationId, UUID contactId,
                                        String assignee) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("messageId", messageId.toString());
        payload.put("waMessageId", wamid);
        payload.put("conversationId", conversationId.toString());
        payload.put("status", status);
        payload.put("timestamp", at.toString());
        if (error != null) {
            payload.put("error", error);
        }
        return NewEvent.forMessage("message_status_update", conversationId, contactId, assignee, payload);
    }

    /** The next send to the same recipient, if one waits. */
    private void next(Job job) {
        claimNextFor(job).subscribe().with(this::dispatch,
                failure -> LOG.debugf("claiming the next send failed (the poll retries): %s", failure.getMessage()));
    }

    private void claimOne(UUID id) {
        claim("o.id = $2", Tuple.of(instance, id)).subscribe().with(jobs -> jobs.forEach(this::dispatch),
                failure -> LOG.debugf("claim of %s failed (the poll retries): %s", id, failure.getMessage()));
    }

    private Uni<Job> claimNextFor(Job job) {
        return claim("o.phone_number_id = (select id from phone_number where phone_number_id = $2) and o.recipient = $3",
                Tuple.of(instance, job.phoneNumberId(), job.recipient()))
                .map(jobs -> jobs.isEmpty() ? null : jobs.get(0));
    }

    private Uni<List<Job>> claimDue() {
        return claim("true", Tuple.of(instance));
    }

    /**
     * Locks due, unowned rows matching {@code filter} that are first in line for their recipient,
     * and returns them with their number's credentials. SKIP LOCKED lets instances poll together.
     */
    private Uni<List<Job>> claim(String filter, Tuple params) {
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
                          o.payload::text, o.attempts""".formatted(config.sendLock().toSeconds(), filter, BATCH);
        return pool.preparedQuery(sql).execute(params).map(this::jobs);
    }

    private List<Job> jobs(RowSet<Row> rows) {
        List<Job> jobs = new ArrayList<>(rows.size());
        for (Row row : rows) {
            try {
                jobs.add(new Job(row.getUUID(0), row.getString(1), row.getString(2), row.getString(3), row.getUUID(4),
                        row.getString(5), row.getString(6), json.readTree(row.getString(7)), row.getInteger(8)));
            } catch (Exception e) {
                LOG.errorf("unreadable outbox row %s: %s", row.getUUID(0), e.getMessage());
            }
        }
        return jobs;
    }

    private Uni<Void> delete(Job job) {
        return pool.preparedQuery("delete from outbox where id = $1").execute(Tuple.of(job.id())).replaceWithVoid();
    }

    private static Uni<Integer> deleteIn(org.hibernate.reactive.mutiny.Mutiny.Session session, Job job) {
        return session.createNativeQuery("delete from outbox where id = :id").setParameter("id", job.id())
                .executeUpdate();
    }

    private Duration backoff(int attempts) {
        long base = config.retryInitialDelay().toMillis() << Math.min(20, attempts - 1);
        long capped = Math.min(base, config.retryMaxDelay().toMillis());
        double jitter = 0.5 + ThreadLocalRandom.current().nextDouble(); // 0.5x .. 1.5x
        return Duration.ofMillis(Math.max(1, (long) (capped * jitter)));
    }

    private static String describe(MetaError error) {
        return (error.code() != 0 ? "(#" + error.code() + ") " : "") + error.getMessage();
    }

    private static void run(Uni<Void> work) {
        work.subscribe().with(ok -> {
        }, failure -> LOG.errorf(failure, "outbox send failed"));
    }
}
