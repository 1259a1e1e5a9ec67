package io.wagateway.forwarding;

import com.fasterxml.jackson.databind.node.TextNode;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.wagateway.config.AppConfig;
import io.wagateway.config.InstanceId;
import io.wagateway.fanout.DurableEvent;
import io.wagateway.fanout.EventBus;
import io.wagateway.fanout.EventReader;
import io.wagateway.metrics.GatewayMetrics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Forwards each tenant's durable events to its host application (PROTOCOL.md 6.9), from the
 * durable log and a cursor per tenant that the replicas share ({@link ForwardingStore}).
 *
 * <p>Every replica polls for tenants with events past their cursor, and wakes early when another
 * replica rings the doorbell of a tenant. A replica leases the tenants it takes, reads a batch of
 * their events from the log and POSTs them one by one in seq order, moving the cursor after each
 * 2xx; the first failure ends the batch and schedules a retry with exponential backoff. All of it
 * runs on its own timers, the reactive SQL client and a non-blocking HTTP client: the fan-out and
 * the WebSocket connections never wait for a receiver.
 *
 * <p>At least once: a replica that dies between a 2xx and the cursor's move leaves the event to
 * be sent again, with the same seq, by whichever replica takes the tenant once the lease expired.
 */
@ApplicationScoped
public class Forwarder implements EventBus.Listener {

    private static final Logger LOG = Logger.getLogger(Forwarder.class);
    /**
     * Tenants one replica forwards at the same time; more wait for the next poll. Each batch holds one
     * connection of the reactive pool that the WebSocket path shares at a time, so a backlog of many
     * tenants takes a few of them, never the pool.
     */
    static final int MAX_TENANTS_IN_FLIGHT = 4;

    private final Vertx vertx;
    private final ForwardingStore store;
    private final EventReader reader;
    private final ForwardingClient client;
    private final EventBus bus;
    private final GatewayMetrics metrics;
    private final String instance;
    private final AppConfig.Forwarding config;
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean polling = new AtomicBoolean();
    private final AtomicBoolean pollAgain = new AtomicBoolean();
    private volatile boolean stopping;

    public Forwarder(Vertx vertx, ForwardingStore store, EventReader reader, ForwardingClient client, EventBus bus,
                     GatewayMetrics metrics, InstanceId instance, AppConfig config) {
        this.vertx = vertx;
        this.store = store;
        this.reader = reader;
        this.client = client;
        this.bus = bus;
        this.metrics = metrics;
        this.instance = instance.value();
        this.config = config.forwarding();
    }

    void start(@Observes StartupEvent event) {
        bus.listen(this);
        vertx.setPeriodic(config.pollInterval().toMillis(), id -> poll());
    }

    /** Takes no new tenant once shutdown began; a batch in flight ends at its next POST or lease check. */
    void stop(@Observes ShutdownDelayInitiatedEvent event) {
        stopping = true;
    }

    /** Another replica committed events of a tenant: look now rather than at the next poll. */
    @Override
    public void rung(String tenant, long seq) {
        poll();
    }

    /** Leases the tenants that have something to forward and starts a batch for each. One poll at a time. */
    void poll() {
        if (stopping) {
            return;
        }
        if (!polling.compareAndSet(false, true)) {
            pollAgain.set(true); // the running poll may have read before this reason to look
            return;
        }
        int room = MAX_TENANTS_IN_FLIGHT - inFlight.size();
        if (room <= 0) {
            polling.set(false);
            return;
        }
        pollAgain.set(false);
        store.lease(instance, config.lease(), room).subscribe().with(leases -> {
            leases.forEach(this::runBatch);
            polled();
        }, failure -> {
            LOG.debugf("forwarding poll failed: %s", failure.getMessage());
            polled();
        });
    }

    private void polled() {
        polling.set(false);
        if (pollAgain.getAndSet(false)) {
            poll();
        }
    }

    private void runBatch(ForwardingStore.Lease lease) {
        if (!inFlight.add(lease.tenant())) {
            return; // cannot happen while leases outlive batches; never two batches of one tenant here
        }
        forward(lease)
                .onFailure().recoverWithUni(failure -> {
                    LOG.warnf("forwarding of tenant %s stopped for now: %s", lease.tenant(), failure.getMessage());
                    return Uni.createFrom().voidItem();
                })
                .chain(() -> store.release(lease.tenant(), instance))
                .onFailure().recoverWithNull()
                .subscribe().with(done -> {
                    inFlight.remove(lease.tenant());
                    poll(); // the rest of a long backlog, or what came meanwhile
                });
    }

    /** One batch: the events after the cursor, at most batch-size, POSTed in seq order until one fails. */
    private Uni<Void> forward(ForwardingStore.Lease lease) {
        URI url = URI.create(lease.url());
        return reader.read(lease.tenant(), lease.cursor(), lease.lastSeq(), config.batchSize())
                .chain(events -> {
                    long firstRetained = events.isEmpty() ? lease.lastSeq() + 1 : events.get(0).seq();
                    if (firstRetained > lease.cursor() + 1) {
                        long from = lease.cursor() + 1;
                        long to = firstRetained - 1;
                        metrics.forwarding("trimmed", (int) Math.min(Integer.MAX_VALUE, to - from + 1));
                        String note = "events " + from + " to " + to
                                + " were older than the event retention and were not forwarded";
                        LOG.warnf("forwarding of tenant %s: %s", lease.tenant(), note);
                        return store.skipTrimmed(lease, instance, to, note)
                                .chain(moved -> moved ? send(lease, url, events, 0, 0) : Uni.createFrom().voidItem());
                    }
                    return send(lease, url, events, 0, 0);
                });
    }

    /**
     * POSTs {@code events[index..]} one after the other.
     *
     * @param unrecorded the highest seq the filter passed over since the cursor last moved, or 0
     */
    private Uni<Void> send(ForwardingStore.Lease lease, URI url, List<DurableEvent> events, int index,
                           long unrecorded) {
        if (index == events.size() || stopping) {
            return unrecorded > 0 ? store.advance(lease, instance, unrecorded, config.lease()).replaceWithVoid()
                    : Uni.createFrom().voidItem();
        }
        DurableEvent event = events.get(index);
        if (!lease.events().isEmpty() && !lease.events().contains(event.name())) {
            metrics.forwarding("filtered", 1);
            return send(lease, url, events, index + 1, event.seq());
        }
        return client.post(url, lease.secret(), Long.toString(event.seq()), body(event))
                .chain(outcome -> {
                    if (outcome.delivered()) {
                        metrics.forwarding("delivered", 1);
                        return store.advance(lease, instance, event.seq(), config.lease())
                                .chain(moved -> moved ? send(lease.delivered(), url, events, index + 1, 0)
                                        : Uni.createFrom().voidItem());
                    }
                    metrics.forwarding("failed", 1);
                    Duration retryIn = backoff(lease.attempts() + 1);
                    LOG.debugf("forwarding seq %d of tenant %s failed (%s), retry in %s", event.seq(), lease.tenant(),
                            outcome.error(), retryIn);
                    return store.failed(lease, instance, unrecorded, outcome.error(), retryIn);
                });
    }

    /** The delay before the next attempt after {@code failures} failed POSTs in a row: doubled each time, capped. */
    Duration backoff(int failures) {
        return backoff(config.retryInitialDelay(), config.retryMaxDelay(), failures);
    }

    static Duration backoff(Duration initial, Duration max, int failures) {
        int doublings = Math.min(Math.max(failures - 1, 0), 30);
        long millis = initial.toMillis() << doublings;
        return millis <= 0 || millis > max.toMillis() ? max : Duration.ofMillis(millis);
    }

    /** The POST body, {@code {tenant, seq, event, data}}; data is the payload exactly as the log stores it. */
    static String body(DurableEvent event) {
        return "{\"tenant\":" + TextNode.valueOf(event.tenant()) + ",\"seq\":" + event.seq() + ",\"event\":"
                + TextNode.valueOf(event.name()) + ",\"data\":" + event.payloadJson() + "}";
    }

    /** Reads every forwarding tenant's lag into the gauges; every replica reports the same shared figures. */
    @Scheduled(every = "${app.forwarding.metrics-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> refreshLag() {
        return store.lags().invoke(metrics::forwardingLags)
                .onFailure().invoke(failure -> LOG.debugf("forwarding lag not read: %s", failure.getMessage()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }
}
