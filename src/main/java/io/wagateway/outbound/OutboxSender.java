package io.wagateway.outbound;

import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.wagateway.config.AppConfig;
import io.wagateway.config.ReactiveContexts;
import io.wagateway.phonenumber.PhoneNumber;
import io.wagateway.whatsapp.MetaError;
import io.wagateway.whatsapp.WhatsAppClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.UUID;

/**
 * Delivers outbox rows ({@link OutboxStore}) to the Graph API; {@link DeliveryRecorder} records
 * the outcome. A row is sent by the instance that owns its lock: the storing instance at once (fast path), or whichever instance's poll finds it
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

    private final Vertx vertx;
    private final WhatsAppClient whatsapp;
    private final Throughput throughput;
    private final OutboxStore outbox;
    private final DeliveryRecorder recorder;
    private final RetryPolicy retries;
    private volatile boolean stopping;

    public OutboxSender(Vertx vertx, WhatsAppClient whatsapp, Throughput throughput, OutboxStore outbox,
                        DeliveryRecorder recorder, AppConfig config) {
        this.vertx = vertx;
        this.whatsapp = whatsapp;
        this.throughput = throughput;
        this.outbox = outbox;
        this.recorder = recorder;
        this.retries = new RetryPolicy(config.whatsapp());
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
        return recorder.sent(job, wamid).invoke(moreWaiting -> {
            if (moreWaiting) {
                next(job);
            }
        }).replaceWithVoid();
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
        return recorder.failed(job, error).invoke(() -> next(job));
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
