package io.wagateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The gateway's own meters, served with everything else at {@code /q/metrics}. Callers say what
 * happened; this class owns the names, tags and buckets. Meters are created once per tag value
 * and cached, so a call on the hot path is a map lookup and an add. Tag values come from the
 * code (event names the gateway knows, outcomes, Meta's numeric codes), never from free client
 * input, so the number of series stays bounded.
 *
 * <p>Created at start-up, so that the gauges are in the first scrape. Its meters are removed when
 * the application stops: the registry Quarkus injects is Micrometer's global one, which outlives
 * an application restart in the same JVM (dev-mode reloads, successive test applications), and a
 * gauge left there would keep reading the beans of the stopped application.
 */
@Startup
@ApplicationScoped
public class GatewayMetrics {

    private static final Logger LOG = Logger.getLogger(GatewayMetrics.class);
    static final String PREFIX = "wagateway.";

    private final MeterRegistry registry;
    private final Pool pool;
    private final ConcurrentMap<String, Counter> eventsIn = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Counter> eventsOut = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Timer> webhookDeliveries = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Counter> webhookItems = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Timer> graphCalls = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Counter> resumes = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, DistributionSummary> batches = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Counter> forwardings = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, ForwardingLag> forwardingLags = new ConcurrentHashMap<>();
    private final List<Meter> registered = new CopyOnWriteArrayList<>();
    private final Timer pushFromMemory;
    private final Timer pushFromTable;
    private final Counter rateLimited;
    private final Counter slowConsumers;
    // outbox figures from the last periodic read; NaN until the first one succeeds
    private volatile double outboxDepth = Double.NaN;
    private volatile double outboxAgeSeconds = Double.NaN;

    public GatewayMetrics(MeterRegistry registry, Pool pool) {
        this.registry = registry;
        this.pool = pool;
        track(Gauge.builder(PREFIX + "outbox.depth", this, m -> m.outboxDepth)
                .description("Rows waiting in the outbox (all instances: the table is shared)")
                .strongReference(true).register(registry));
        track(Gauge.builder(PREFIX + "outbox.oldest.age", this, m -> m.outboxAgeSeconds).baseUnit("seconds")
                .description("Age of the oldest outbox row, 0 when empty (all instances: the table is shared)")
                .strongReference(true).register(registry));
        this.pushFromMemory = pushTimer("memory");
        this.pushFromTable = pushTimer("table");
        this.rateLimited = track(Counter.builder(PREFIX + "ws.rate.limited")
                .description("Client frames refused by the per-connection rate limit").register(registry));
        this.slowConsumers = track(Counter.builder(PREFIX + "ws.slow.consumers")
                .description("Connections closed with 4008 because they did not read their frames in time")
                .register(registry));
    }

    /** A gauge that a feature owns, read from {@code value} whenever the registry is scraped. */
    public void gauge(String name, String description, Supplier<Number> value) {
        track(Gauge.builder(PREFIX + name, value).description(description).strongReference(true).register(registry));
    }

    private <M extends Meter> M track(M meter) {
        registered.add(meter);
        return meter;
    }

    @PreDestroy
    void removeMeters() {
        registered.forEach(registry::remove);
        registered.clear();
    }

    private Timer pushTimer(String source) {
        return track(Timer.builder(PREFIX + "push.latency")
                .description("From the commit of a durable event to its frames being handed to this instance's "
                        + "connections. source=memory: committed here and passed on in memory; source=table: read "
                        + "from the event table (committed by another instance, or a gap), timed from the "
                        + "event's created_at by the database clock")
                .tag("source", source)
                .serviceLevelObjectives(ms(1), ms(5), ms(10), ms(25), ms(50), ms(100), ms(250), ms(500), ms(1000),
                        ms(2500), ms(5000))
                .register(registry));
    }

    /** A client frame arrived: its event name, or {@code rejected} when it could not be decoded. */
    public void eventIn(String event) {
        eventsIn.computeIfAbsent(event, e -> track(Counter.builder(PREFIX + "events.in")
                .description("Client frames received, by event").tag("event", e).register(registry))).increment();
    }

    /** {@code count} frames of {@code event} were sent (one per receiving connection). */
    public void eventOut(String event, int count) {
        if (count <= 0) {
            return;
        }
        eventsOut.computeIfAbsent(event, e -> track(Counter.builder(PREFIX + "events.out")
                .description("Frames sent to clients, by event").tag("event", e).register(registry)))
                .increment(count);
    }

    /** Like {@link #eventOut(String, int)} for a serialized server frame ({@code {"event":"<name>",...}}). */
    public void frameOut(String frame, int count) {
        if (count > 0) {
            eventOut(eventName(frame), count);
        }
    }

    static String eventName(String frame) {
        String start = "{\"event\":\"";
        if (frame != null && frame.startsWith(start)) {
            int end = frame.indexOf('"', start.length());
            if (end > start.length() && end - start.length() <= 64) {
                return frame.substring(start.length(), end);
            }
        }
        return "other";
    }

    /** A durable event was handed to this instance's connections {@code sinceCommitNanos} after its commit. */
    public void pushed(boolean fromMemory, long sinceCommitNanos) {
        if (sinceCommitNanos >= 0) {
            (fromMemory ? pushFromMemory : pushFromTable).record(sinceCommitNanos, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * A webhook delivery ended: {@code stored} (200), {@code unsigned} (401, bad or missing
     * signature) or {@code failed} (5xx, Meta retries).
     */
    public void webhookDelivery(String outcome, long nanos) {
        webhookDeliveries.computeIfAbsent(outcome, o -> track(Timer.builder(PREFIX + "webhook.deliveries")
                .description("Webhook deliveries from Meta and how long they took to store, by outcome")
                .tag("outcome", o)
                .serviceLevelObjectives(ms(5), ms(10), ms(25), ms(50), ms(100), ms(250), ms(500), ms(1000), ms(2500),
                        ms(5000))
                .register(registry))).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Items of webhook deliveries: stored, duplicate, status, ignored, failed (unreadable: kept for replay), unknown_number (counted only). */
    public void webhookItems(String result, int count) {
        if (count <= 0) {
            return;
        }
        webhookItems.computeIfAbsent(result, r -> track(Counter.builder(PREFIX + "webhook.items")
                .description("Messages, statuses and account updates in webhook deliveries, by result")
                .tag("result", r).register(registry))).increment(count);
    }

    /**
     * A Graph API call ended.
     *
     * @param operation send, mark_read, phone_number, qr_codes, create_qr_code
     * @param result    success, error (Meta or HTTP error) or network (unreachable, timed out)
     * @param metaCode  Meta's error code, or {@code none}
     */
    public void graphCall(String operation, String result, String metaCode, long nanos) {
        String key = operation + '|' + result + '|' + metaCode;
        graphCalls.computeIfAbsent(key, k -> track(Timer.builder(PREFIX + "graph.calls")
                .description("Graph API calls by operation, result and Meta error code")
                .tag("operation", operation).tag("result", result).tag("meta_code", metaCode)
                .serviceLevelObjectives(ms(50), ms(100), ms(250), ms(500), ms(1000), ms(2500), ms(5000), ms(10000))
                .register(registry))).record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A {@code resume} request ended: recovered, not_recovered (older than the retention) or failed. */
    public void resume(String outcome) {
        resumes.computeIfAbsent(outcome, o -> track(Counter.builder(PREFIX + "resume.requests")
                .description("resume requests by outcome").tag("outcome", o).register(registry))).increment();
    }

    /** Writes stored by one group-commit transaction ({@code fanout.GroupCommit}), by writer. */
    public void groupCommit(String writer, int items) {
        batches.computeIfAbsent(writer, w -> track(DistributionSummary.builder(PREFIX + "group.commit.batch")
                .description("Writes stored together in one transaction, by writer").tag("writer", w)
                .register(registry))).record(items);
    }

    /**
     * A durable event left the forwarding queue of a tenant: {@code delivered} (a 2xx), {@code failed}
     * (a POST that will be retried), {@code filtered} (not in the tenant's event list) or {@code trimmed}
     * (past the retention before it could be forwarded). No tenant tag: the lag gauge has it.
     */
    public void forwarding(String outcome, int count) {
        if (count <= 0) {
            return;
        }
        forwardings.computeIfAbsent(outcome, o -> track(Counter.builder(PREFIX + "forwarding.events")
                .description("Durable events handled by event forwarding, by outcome").tag("outcome", o)
                .register(registry))).increment(count);
    }

    /**
     * The forwarding lag of every tenant that forwards (its seq minus its cursor), as read from the
     * shared table: one gauge per tenant (tenants are few), removed when the tenant stops forwarding.
     */
    public void forwardingLags(java.util.Map<String, Long> lags) {
        lags.forEach((tenant, lag) -> forwardingLags.computeIfAbsent(tenant, t -> {
            ForwardingLag holder = new ForwardingLag();
            holder.gauge = track(Gauge.builder(PREFIX + "forwarding.lag", holder, h -> h.events).baseUnit("events")
                    .description("Durable events of the tenant not yet forwarded to its host application")
                    .tag("tenant", t).strongReference(true).register(registry));
            return holder;
        }).events = lag);
        forwardingLags.entrySet().removeIf(entry -> {
            if (lags.containsKey(entry.getKey())) {
                return false;
            }
            registry.remove(entry.getValue().gauge);
            registered.remove(entry.getValue().gauge);
            return true;
        });
    }

    private static final class ForwardingLag {
        volatile double events;
        Gauge gauge;
    }

    public void slowConsumer() {
        slowConsumers.increment();
    }

    public void rateLimited() {
        rateLimited.increment();
    }

    /**
     * Reads the outbox depth and the age of its oldest row. Periodic rather than per scrape, so that
     * scrapes never touch the database; every instance reports the same shared figures.
     */
    @Scheduled(every = "${app.whatsapp.outbox-metrics-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    public Uni<Void> refreshOutbox() {
        return pool.query("select count(*), coalesce(extract(epoch from now() - min(created_at)), 0) from outbox")
                .execute()
                .invoke(rows -> {
                    Row row = rows.iterator().next();
                    outboxDepth = row.getLong(0);
                    outboxAgeSeconds = ((Number) row.getValue(1)).doubleValue(); // numeric or double by PG version
                })
                .onFailure().invoke(failure -> {
                    outboxDepth = Double.NaN;
                    outboxAgeSeconds = Double.NaN;
                    LOG.debugf("outbox metrics not read: %s", failure.getMessage());
                })
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    private static Duration ms(long millis) {
        return Duration.ofMillis(millis);
    }
}
