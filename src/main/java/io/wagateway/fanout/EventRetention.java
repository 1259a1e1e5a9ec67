package io.wagateway.fanout;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import io.wagateway.config.AppConfig;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Trims the durable event log past the retention window, in small batches so that it never holds
 * long locks. A {@code resume} from before the window then answers {@code recovered: false}.
 */
@ApplicationScoped
public class EventRetention {

    private static final Logger LOG = Logger.getLogger(EventRetention.class);
    private static final int BATCH = 5000;

    private final Pool pool;
    private final Duration retention;

    public EventRetention(Pool pool, AppConfig config) {
        this.pool = pool;
        this.retention = config.events().retention();
    }

    @Scheduled(every = "${app.events.trim-interval}", delayed = "1m",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduledTrim() {
        return trim(retention).invoke(n -> {
            if (n > 0) {
                LOG.infof("trimmed %d durable events older than %s", n, retention);
            }
        }).replaceWithVoid();
    }

    /** Deletes every event older than {@code keep}; returns how many. */
    public Uni<Long> trim(Duration keep) {
        OffsetDateTime cutoff = OffsetDateTime.now(ZoneOffset.UTC).minus(keep);
        return trimFrom(cutoff, 0L);
    }

    private Uni<Long> trimFrom(OffsetDateTime cutoff, long sofar) {
        return pool.preparedQuery("""
                        delete from event where ctid = any(array(
                            select ctid from event where created_at < $1 limit $2))""")
                .execute(Tuple.of(cutoff, BATCH))
                .chain(rows -> rows.rowCount() < BATCH ? Uni.createFrom().item(sofar + rows.rowCount())
                        : trimFrom(cutoff, sofar + rows.rowCount()));
    }
}
