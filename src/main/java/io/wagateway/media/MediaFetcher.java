package io.wagateway.media;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.wagateway.config.AppConfig;
import io.wagateway.config.InstanceId;
import io.wagateway.config.ReactiveContexts;
import io.wagateway.conversation.ConversationEvents;
import io.wagateway.conversation.ConversationRows;
import io.wagateway.fanout.DurableEvent;
import io.wagateway.fanout.EventLog;
import io.wagateway.fanout.FanoutService;
import io.wagateway.phonenumber.PhoneNumber;
import io.wagateway.whatsapp.MediaDownload;
import io.wagateway.whatsapp.MetaError;
import io.wagateway.whatsapp.WhatsAppClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The durable download job of inbound media (PROTOCOL.md 6.4). A pending {@code media} row is the
 * job: any replica claims it ({@link MediaCatalog#claimDue}), asks the Graph API for a fresh URL,
 * streams the file to a temporary file while hashing it, checks Meta's {@code sha256}, copies it to
 * the media store and marks it {@code available}; the message is then pushed again as
 * {@code message_updated}. A URL that expired (404) is fetched anew at once; Meta down, the
 * network and a hash mismatch are retried with backoff up to {@code app.media.max-attempts}; a
 * permanent error (Meta no longer has the media) makes it {@code unavailable}, pushed the same way.
 * None of this runs before the webhook was answered and its new_message pushed.
 */
@ApplicationScoped
public class MediaFetcher {

    private static final Logger LOG = Logger.getLogger(MediaFetcher.class);

    private final Vertx vertx;
    private final Pool pool;
    private final MediaCatalog catalog;
    private final MediaStores stores;
    private final WhatsAppClient whatsapp;
    private final ConversationRows rows;
    private final ConversationEvents events;
    private final EventLog eventLog;
    private final FanoutService fanout;
    private final String instance;
    private final AppConfig.Media config;
    private final AtomicInteger running = new AtomicInteger();
    private volatile boolean stopping;

    public MediaFetcher(Vertx vertx, Pool pool, MediaCatalog catalog, MediaStores stores, WhatsAppClient whatsapp,
                        ConversationRows rows, ConversationEvents events, EventLog eventLog, FanoutService fanout,
                        InstanceId instance, AppConfig config) {
        this.vertx = vertx;
        this.pool = pool;
        this.catalog = catalog;
        this.stores = stores;
        this.whatsapp = whatsapp;
        this.rows = rows;
        this.events = events;
        this.eventLog = eventLog;
        this.fanout = fanout;
        this.instance = instance.value();
        this.config = config.media();
    }

    void start(@Observes StartupEvent event) {
        vertx.setTimer(300, id -> poll()); // what a previous run left pending
    }

    /**
     * Stops taking downloads and hands back the ones in flight, so that another replica (or the next
     * run) takes them at once instead of after the lock expires.
     */
    void stop(@Observes ShutdownDelayInitiatedEvent event) {
        stopping = true;
        try {
            pool.preparedQuery("update media set locked_until = null, locked_by = null where locked_by = $1 "
                    + "and status = 'pending'").execute(io.vertx.mutiny.sqlclient.Tuple.of(instance))
                    .await().atMost(Duration.ofSeconds(2));
        } catch (RuntimeException e) {
            LOG.debugf("could not release the downloads of this instance (their locks expire): %s", e.getMessage());
        }
    }

    /** New media were stored: look for them now rather than at the next poll. */
    public void wake() {
        vertx.runOnContext(v -> poll());
    }

    @Scheduled(every = "${app.media.poll-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void poll() {
        int free = config.concurrentDownloads() - running.get();
        if (stopping || free <= 0) {
            return;
        }
        catalog.claimDue(instance, config.downloadLock(), free).subscribe().with(
                claimed -> claimed.forEach(this::run),
                failure -> LOG.warnf("media poll failed: %s", failure.getMessage()));
    }

    private void run(MediaCatalog.Download job) {
        running.incrementAndGet();
        ReactiveContexts.runOnNewSafeContext(vertx, () -> fetch(job).subscribe().with(ok -> {
            running.decrementAndGet();
            poll(); // more may be waiting
        }, failure -> {
            running.decrementAndGet();
            LOG.errorf(failure, "media %s: download not recorded; retried once its lock expires", job.media().id());
        }));
    }

    Uni<Void> fetch(MediaCatalog.Download job) {
        MediaRow media = job.media();
        if (media.metaMediaId() == null || job.phoneNumberId() == null) {
            return settle(media, MediaRow.UNAVAILABLE, null, null, null, null, null, "no Meta media id or number");
        }
        PhoneNumber number = new PhoneNumber();
        number.phoneNumberId = job.phoneNumberId();
        number.accessToken = job.accessToken();
        return Uni.createFrom().completionStage(() -> vertx.fileSystem().createTempFile("wagateway-media-", ".part")
                        .toCompletionStage())
                .chain(temp -> {
                    Path file = Path.of(temp);
                    return download(number, media, file, true)
                            .chain(fetched -> check(job, fetched))
                            .chain(fetched -> stores.current().put(media, file, fetched.download().size())
                                    .chain(chunkSize -> settle(media, MediaRow.AVAILABLE, fetched.download().size(),
                                            fetched.download().sha256Hex(), fetched.mimeType(), stores.current().name(),
                                            chunkSize, null)))
                            .eventually(() -> Uni.createFrom().completionStage(() -> vertx.fileSystem().delete(temp)
                                    .toCompletionStage()).onFailure().recoverWithNull());
                })
                .onFailure(f -> f instanceof MetaError || f instanceof HashMismatch)
                .recoverWithUni(failure -> failed(job, failure));
    }

    private record Fetched(MediaDownload download, String mimeType, String expectedSha256) {}

    private static final class HashMismatch extends RuntimeException {
        HashMismatch() {
            super("sha256 of the download does not match Meta's", null, false, false);
        }
    }

    /** A fresh URL, then the file; once more with a new URL when the first one expired meanwhile. */
    private Uni<Fetched> download(PhoneNumber number, MediaRow media, Path file, boolean firstUrl) {
        return whatsapp.mediaInfo(number, media.metaMediaId()).chain(info -> {
            String url = info.path("url").asText(null);
            if (url == null || url.isBlank()) {
                return Uni.createFrom().failure(new MetaError(502, 0, "Graph API gave no media URL", null));
            }
            return whatsapp.download(number, url, file)
                    .map(download -> new Fetched(download, mime(info, media), text(info, "sha256")));
        }).onFailure(f -> firstUrl && f instanceof MetaError e && (e.status() == 404 || e.status() == 403)
                && e.code() == 0).recoverWithUni(() -> download(number, media, file, false));
    }

    private Uni<Fetched> check(MediaCatalog.Download job, Fetched fetched) {
        String expected = fetched.expectedSha256() != null ? fetched.expectedSha256() : job.metaSha256();
        if (!Sha256.matches(expected, fetched.download().sha256Hex())) {
            return Uni.createFrom().failure(new HashMismatch());
        }
        return Uni.createFrom().item(fetched);
    }

    private Uni<Void> failed(MediaCatalog.Download job, Throwable failure) {
        MediaRow media = job.media();
        int attempts = job.attempts() + 1;
        boolean retryable = failure instanceof HashMismatch || ((MetaError) failure).retryable();
        String error = failure instanceof MetaError e && e.code() != 0 ? "(#" + e.code() + ") " + e.getMessage()
                : failure.getMessage();
        if (!retryable || attempts >= config.maxAttempts()) {
            LOG.warnf("media %s is unavailable after %d attempt(s): %s", media.id(), attempts, error);
            return settle(media, MediaRow.UNAVAILABLE, null, null, null, null, null, error);
        }
        Duration delay = delay(attempts);
        LOG.infof("media %s: attempt %d failed (%s), retrying in %d ms", media.id(), attempts, error, delay.toMillis());
        return catalog.retryLater(media.id(), instance, attempts, delay, error)
                .invoke(() -> vertx.setTimer(Math.max(1, delay.toMillis()), id -> poll()));
    }

    /** Doubled per failure from app.media.retry-initial-delay, capped, with jitter (0.5x to 1.5x). */
    private Duration delay(int failures) {
        long base = config.retryInitialDelay().toMillis() << Math.min(20, failures - 1);
        long capped = Math.min(base, config.retryMaxDelay().toMillis());
        return Duration.ofMillis(Math.max(1, (long) (capped * (0.5 + ThreadLocalRandom.current().nextDouble()))));
    }

    /**
     * The media's new status, with its message's media JSON, in one transaction that also appends
     * {@code message_updated}; pushed after commit. Also the retention job's way to retire media.
     */
    Uni<Void> settle(MediaRow media, String status, Long size, String sha256, String mimeType, String store,
                     Integer chunkSize, String error) {
        return pool.withTransaction(connection -> catalog.settle(connection, media.id(), status, size, sha256, mimeType,
                        store, chunkSize, error)
                .chain(messageId -> messageId == null ? Uni.createFrom().item(List.<DurableEvent>of())
                        : rows.message(connection, messageId).chain(message -> rows.load(connection,
                                message.conversationId).chain(conversation -> eventLog.append(connection,
                                media.tenant(), List.of(events.messageUpdated(message, conversation)))))))
                .invoke(fanout::publishCommitted)
                .replaceWithVoid();
    }

    /** Meta's MIME type (which may carry parameters, e.g. {@code audio/ogg; codecs=opus}), else the webhook's. */
    private static String mime(JsonNode info, MediaRow media) {
        String mime = text(info, "mime_type");
        return mime != null ? mime : media.mimeType();
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() || value.asText().isBlank() ? null : value.asText();
    }
}
