package io.wagateway.media;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.wagateway.config.AppConfig;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * {@code app.media.retention}: media older than it are deleted from their store and become
 * {@code unavailable}, announced like any status change ({@code message_updated}). Unset: kept.
 */
@ApplicationScoped
public class MediaRetention {

    private static final Logger LOG = Logger.getLogger(MediaRetention.class);
    private static final int PAGE = 100;

    private final Optional<Duration> retention;
    private final MediaCatalog catalog;
    private final MediaStores stores;
    private final MediaFetcher fetcher;

    public MediaRetention(AppConfig config, MediaCatalog catalog, MediaStores stores, MediaFetcher fetcher) {
        this.retention = config.media().retention();
        this.catalog = catalog;
        this.stores = stores;
        this.fetcher = fetcher;
    }

    @Scheduled(every = "${app.media.retention-interval}", delayed = "1m",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> trim() {
        if (retention.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return retire(Instant.now().minus(retention.get()))
                .invoke(n -> {
                    if (n > 0) {
                        LOG.infof("retired %d media older than %s", n, retention.get());
                    }
                })
                .onFailure().invoke(f -> LOG.warnf("media retention failed (the next run retries): %s", f.getMessage()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** Retires the media created before {@code cutoff}, a page at a time; returns how many. */
    public Uni<Integer> retire(Instant cutoff) {
        return catalog.olderThan(cutoff, PAGE).chain(page -> {
            if (page.isEmpty()) {
                return Uni.createFrom().item(0);
            }
            return Multi.createFrom().iterable(page).onItem().transformToUniAndConcatenate(media ->
                            (media.store() == null ? Uni.createFrom().voidItem() : stores.of(media).delete(media))
                                    .chain(() -> fetcher.settle(media, MediaRow.UNAVAILABLE, null, null, null, null,
                                            null, "past app.media.retention"))
                                    .replaceWith(media)) // Uni<Void> items would be skipped: count what was done
                    .collect().asList()
                    .chain(done -> page.size() < PAGE ? Uni.createFrom().item(done.size())
                            : retire(cutoff).map(more -> done.size() + more));
        });
    }
}
