package io.wagateway.outbound;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.wagateway.config.AppConfig;
import io.wagateway.config.JsonText;
import io.wagateway.config.ReactiveContexts;
import io.wagateway.conversation.ConversationEvents;
import io.wagateway.conversation.ConversationEvents.StatusChange;
import io.wagateway.fanout.DurableEvent;
import io.wagateway.fanout.EventLog;
import io.wagateway.fanout.FanoutService;
import io.wagateway.fanout.GroupCommit;
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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * Delivers outbox rows ({@link OutboxStore}) to the Graph API. A row is sent by the instance that
 * owns its lock: the storing instance at once (fast path), or whichever instance's poll finds it
 * due and unlocked (retries, rows of a crashed instance, later sends to a recipient with one in
 * flight). Retryable failures come back after {@link RetryPolicy}'s delay; permanent ones fail the
 * message with Meta's code and details.
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

    private final Pool pool;
    private final Vertx vertx;
    private final WhatsAppClient whatsapp;
    private final Throughput throughput;
    private final OutboxStore outbox;
    private final DeliveryStore deliveries;
    private final EventLog eventLog;
    private final ConversationEvents events;
    private final FanoutService fanout;
    private final Event<SendOutcome> outcomes;
    private final ObjectMapper json;
    private final RetryPolicy retries;
    private final GroupCommit<Sent, Boolean> completions;
    private volatile boolean stopping;

    public OutboxSender(Pool pool, Vertx vertx, WhatsAppClient whatsapp, Throughput throughput, OutboxStore outbox,
                        DeliveryStore deliveries, EventLog eventLog, ConversationEvents events, FanoutService fanout,
                        Event<SendOutcome> outcomes, ObjectMapper json, AppConfig config, GatewayMetrics metrics) {
        this.pool = pool;
        this.vertx = vertx;
        this.whatsapp = whatsapp;
        this.throughput = throughput;
        this.outbox = outbox;
        this.deliveries = deliveries;
        this.eventLog = eventLog;
        this.events = events;
        this.fanout = fanout;
        this.outcomes = outcomes;
        this.json = json;
        this.retries = new RetryPolicy(config.whatsapp());
        this.completions = new GroupCommit<>(vertx, BATCH, batch -> pool.withTransaction(c -> recordSent(c, batch))
                .invoke(recorded -> fanout.publishCommitted(recorded.events())), // pushed once committed
                size -> metrics.groupCommit("sent", size));
    }

    void start(@Observes StartupEvent event) {
        vertx.setTimer(200, id -> poll()); // resume what a previous run left pending
    }

    /**
     * First step of a graceful shutdown: stops taking new rows; what is in flight finishes (its lock
     * protects it meanwhile), and what is left is claimed by another instance or the next run.
     */
    void stop(@Observes ShutdownDelayInitiatedEvent event) {
        stopping = true;
    }

    /** Sends a row this instance already owns (the fast path after the storing commit). */
    public void dispatch(OutboxJob job) {
        if (job == null || stopping) {
            return;
        }
        long wait = throughput.reserve(job.phoneNumberId());
        if (wait <= 0) {
            ReactiveContexts.runOnNewSafeContext(vertx, () -> run(send(job)));
        } else {
            vertx.setTimer(Math.max(1, wait / 1_000_000),
                    id -> ReactiveContexts.runOnNewSafeContext(vertx, () -> run(send(job))));
        }
    }

    /** Claims due rows that nobody owns and sends them. */
    @Scheduled(every = "${app.whatsapp.outbox-poll-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void poll() {
        if (stopping) {
            return;
        }
        outbox.claimDue().subscribe().with(jobs -> jobs.forEach(this::dispatch),
                failure -> LOG.warnf("outbox poll failed: %s", failure.getMessage()));
    }

    private Uni<Void> send(OutboxJob job) {
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

    private Uni<Void> succeeded(OutboxJob job, String wamid) {
        if (job.messageId() == null) {
            return outbox.delete(job).invoke(() -> next(job));
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
    private record Sent(OutboxJob job, String wamid, Instant at) {}

    /**
     * Records accepted sends of one tenant together (see {@link GroupCommit}): the messages move to
     * {@code sent}, their rows go, a {@code message_status_update} each is appended. Per send:
     * whether a later send to the same recipient waits, so that only then is the next one claimed.
     */
    private Uni<GroupCommit.Outcome> recordSent(SqlConnection connection, List<Sent> batch) {
        int n = batch.size();
        UUID[] messages = new UUID[n];
        String[] wamids = new String[n];
        UUID[] rows = new UUID[n];
        Map<UUID, Instant> sentAt = new HashMap<>();
        for (int i = 0; i < n; i++) {
            Sent sent = batch.get(i);
            messages[i] = sent.job().messageId();
            wamids[i] = sent.wamid();
            rows[i] = sent.job().id();
            sentAt.put(sent.job().messageId(), sent.at());
        }
        return deliveries.sent(connection, messages, wamids)
                .chain(changed -> outbox.delete(connection, rows)
                        .chain(waiting -> eventLog.append(connection, batch.get(0).job().tenant(), changed.stream()
                                        .map(c -> events.statusChanged(statusChange(c, "sent", sentAt.get(c.messageId()),
                                                null)))
                                        .toList())
                                .map(appended -> new GroupCommit.Outcome(batch.stream()
                                        .map(sent -> (Object) waiting.contains(OutboxStore.waitingKey(
                                                sent.job().phoneNumberId(), sent.job().recipient())))
                                        .toList(), appended))));
    }

    private Uni<Void> failed(OutboxJob job, MetaError error) {
        int attempts = job.attempts() + 1;
        Duration delay = retries.delayBeforeAttempt(attempts + 1, error);
        if (delay != null) {
            LOG.infof("outbox row %s: attempt %d failed (%s, code %d), retrying in %d ms", job.id(), attempts,
                    error.getMessage(), error.code(), delay.toMillis());
            return outbox.retryLater(job, attempts, delay, RetryPolicy.describe(error))
                    .invoke(() -> vertx.setTimer(Math.max(1, delay.toMillis()), id -> claimOne(job.id())));
        }
        LOG.warnf("outbox row %s failed for good: %s (code %d)", job.id(), error.getMessage(), error.code());
        if (job.messageId() == null) {
            return outbox.delete(job).invoke(() -> next(job));
        }
        Map<String, Object> stored = storedError(error);
        Instant now = Instant.now();
        return pool.withTransaction(connection -> deliveries.failed(connection, job.messageId(),
                                JsonText.of(json, stored))
                        .chain(changed -> outbox.delete(connection, new UUID[] {job.id()})
                                .chain(() -> changed == null ? Uni.createFrom().item(List.<DurableEvent>of())
                                        : eventLog.append(connection, job.tenant(),
                                        List.of(events.statusChanged(statusChange(changed, "failed", now, stored)))))))
                .invoke(appended -> {
                    fanout.publishCommitted(appended);
                    outcomes.fire(new SendOutcome(job.messageId(), null, now, error));
                    next(job);
                })
                .replaceWithVoid();
    }

    /** Meta's error as the message keeps it (PROTOCOL.md: {@code error} of a failed message). */
    private static Map<String, Object> storedError(MetaError error) {
        Map<String, Object> stored = new LinkedHashMap<>();
        stored.put("code", error.code());
        stored.put("title", error.getMessage());
        if (error.details() != null) {
            stored.put("details", error.details());
        }
        if (error.status() != 0) {
            stored.put("httpStatus", error.status());
        }
        return stored;
    }

    private static StatusChange statusChange(DeliveryStore.Changed c, String status, Instant at, Object error) {
        return new StatusChange(c.messageId(), c.waMessageId(), c.conversationId(), c.contactId(), c.assignee(),
                status, Objects.requireNonNull(at), error);
    }

    /** The next send to the same recipient, if one waits. */
    private void next(OutboxJob job) {
        outbox.claimNextFor(job).subscribe().with(this::dispatch,
                failure -> LOG.debugf("claiming the next send failed (the poll retries): %s", failure.getMessage()));
    }

    private void claimOne(UUID id) {
        outbox.claim(id).subscribe().with(jobs -> jobs.forEach(this::dispatch),
                failure -> LOG.debugf("claim of %s failed (the poll retries): %s", id, failure.getMessage()));
    }

    private static void run(Uni<Void> work) {
        work.subscribe().with(ok -> {
        }, failure -> LOG.errorf(failure, "outbox send failed"));
    }
}
