package io.wagateway.fanout;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.wagateway.metrics.GatewayMetrics;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongConsumer;

/**
 * Delivers committed durable events to this instance's connections, per tenant in seq order,
 * each once. Events come from local commits (from memory, at once) and from other instances
 * (a doorbell, then a read of the table). An event that arrives ahead of its predecessor waits
 * until the predecessor arrives or is fetched from the table. All stream state lives on one
 * Vert.x context, which also makes delivery order per connection deterministic.
 */
@ApplicationScoped
public class FanoutService implements EventBus.Listener {

    private static final Logger LOG = Logger.getLogger(FanoutService.class);
    static final int PAGE = 500;
    private static final long GAP_WAIT_MS = 20;

    private final Vertx vertx;
    private final EventReader reader;
    private final Subscribers subscribers;
    private final EventBus bus;
    private final GatewayMetrics metrics;
    private final Map<String, TenantStream> streams = new HashMap<>();
    private final Context context;
    /** Committed here, not yet taken by the fan-out context. */
    private final DrainQueue<DurableEvent> committed = new DrainQueue<>(this::on, this::takeCommitted, this::drainOffered);
    /** The streams the running take offered events to (on the fan-out context only). */
    private final List<TenantStream> offered = new ArrayList<>(1);

    public FanoutService(Vertx vertx, EventReader reader, Subscribers subscribers, EventBus bus,
                         GatewayMetrics metrics) {
        this.metrics = metrics;
        this.vertx = vertx;
        this.reader = reader;
        this.subscribers = subscribers;
        this.bus = bus;
        // a context of its own, not the caller's: created on a thread that is not Vert.x's
        this.context = CompletableFuture.supplyAsync(vertx::getOrCreateContext).join();
    }

    void start(@Observes StartupEvent event) {
        bus.listen(this);
    }

    /**
     * Called after commit, on any thread. The events wait in a queue that the fan-out context empties
     * in one task: commits that land while that task is pending (under load, most of them) reach each
     * connection as one batch, one write, instead of one write per commit.
     */
    public void publishCommitted(List<DurableEvent> events) {
        if (events.isEmpty()) {
            return;
        }
        long committedNanos = System.nanoTime();
        committed.addAll(events.stream().map(event -> event.committedAt(committedNanos)).toList());
        DurableEvent last = events.get(events.size() - 1);
        bus.ring(last.tenant(), last.seq());
    }

    /** Delivers an ephemeral event here and on every other instance. */
    public void publish(Ephemeral event) {
        on(() -> subscribers.deliver(event));
        bus.publish(event);
    }

    /** A connection of the tenant opened here: make sure its stream exists (async, idempotent). */
    public void tenantConnected(String tenant) {
        on(() -> stream(tenant));
    }

    /** The last connection of the tenant closed here: forget its stream. */
    public void tenantDisconnected(String tenant) {
        on(() -> {
            if (!subscribers.hasTenant(tenant)) {
                TenantStream removed = streams.remove(tenant);
                if (removed != null && removed.gapTimer >= 0) {
                    vertx.cancelTimer(removed.gapTimer);
                }
            }
        });
    }

    @Override
    public void rung(String tenant, long seq) {
        on(() -> {
            TenantStream stream = streams.get(tenant);
            if (stream != null && seq > stream.known) {
                stream.known = seq;
                fetchIfBehind(stream);
            }
        });
    }

    @Override
    public void ephemeral(Ephemeral event) {
        on(() -> subscribers.deliver(event));
    }

    @Override
    public void reconnected() {
        checkAll();
    }

    /** Safety net for a lost notification: compare every stream with the table's counters. */
    @Scheduled(every = "${app.events.catch-up-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void checkAll() {
        on(() -> {
            if (streams.isEmpty()) {
                return;
            }
            reader.lastSeqs(streams.keySet().toArray(String[]::new)).subscribe().with(seqs -> on(() -> seqs.forEach(
                    (tenant, last) -> {
                        TenantStream stream = streams.get(tenant);
                        if (stream != null && last > stream.known) {
                            stream.known = last;
                            fetchIfBehind(stream);
                        }
                    })), failure -> LOG.debugf("catch-up check failed: %s", failure.getMessage()));
        });
    }

    // ---- on the fan-out context only ----

    private TenantStream stream(String tenant) {
        TenantStream stream = streams.get(tenant);
        if (stream == null) {
            stream = new TenantStream(tenant);
            streams.put(tenant, stream);
            initialize(stream);
        }
        return stream;
    }

    /** Starts delivery after what was committed when the tenant's first connection opened here. */
    private void initialize(TenantStream stream) {
        reader.lastSeq(stream.tenant).subscribe().with(last -> on(() -> {
            stream.delivered = last;
            stream.known = Math.max(stream.known, last);
            stream.waiting.headMap(last, true).clear();
            stream.whenReady.forEach(Runnable::run);
            stream.whenReady.clear();
            drain(stream);
        }), failure -> on(() -> {
            LOG.warnf("could not read the seq of tenant %s, retrying: %s", stream.tenant, failure.getMessage());
            vertx.setTimer(500, id -> on(() -> {
                if (streams.get(stream.tenant) == stream) {
                    initialize(stream);
                }
            }));
        }));
    }

    /** A committed event taken from the queue; its stream is drained once the task took them all. */
    private void takeCommitted(DurableEvent event) {
        TenantStream stream = offer(event);
        if (stream != null && !offered.contains(stream)) {
            offered.add(stream);
        }
    }

    private void drainOffered() {
        offered.forEach(this::drain);
        offered.clear();
    }

    /** @return the event's stream when the event waits there for delivery, otherwise null */
    private TenantStream offer(DurableEvent event) {
        TenantStream stream = streams.get(event.tenant());
        if (stream == null) {
            return null; // no connection of this tenant here
        }
        stream.known = Math.max(stream.known, event.seq());
        if (stream.ready() && event.seq() <= stream.delivered) {
            return null;
        }
        stream.waiting.put(event.seq(), event);
        return stream;
    }

    /** Hands every event that is next in seq order to the connections, in one batch. */
    private void drain(TenantStream stream) {
        if (!stream.ready()) {
            return;
        }
        List<DurableEvent> batch = null;
        while (!stream.waiting.isEmpty() && stream.waiting.firstKey() <= stream.delivered + 1) {
            DurableEvent next = stream.waiting.pollFirstEntry().getValue();
            if (next.seq() == stream.delivered + 1) {
                if (batch == null) {
                    batch = new ArrayList<>();
                }
                batch.add(next);
                if (next.committedNanos() != DurableEvent.UNKNOWN) {
                    // one sample per event, not per connection
                    metrics.pushed(!next.fromTable(), System.nanoTime() - next.committedNanos());
                }
                stream.delivered = next.seq();
            }
        }
        if (batch != null) {
            subscribers.deliver(batch);
        }
        if (!stream.waiting.isEmpty() && stream.gapTimer < 0 && !stream.fetching) {
            // a predecessor is still in flight: give it a moment, then read it from the table
            stream.gapTimer = vertx.setTimer(GAP_WAIT_MS, id -> on(() -> {
                stream.gapTimer = -1;
                fetchIfBehind(stream);
            }));
        }
    }

    private void fetchIfBehind(TenantStream stream) {
        if (!stream.ready() || stream.fetching || stream.known <= stream.delivered) {
            return;
        }
        if (!stream.waiting.isEmpty() && stream.waiting.firstKey() == stream.delivered + 1) {
            drain(stream);
            return;
        }
        stream.fetching = true;
        reader.read(stream.tenant, stream.delivered, stream.known, PAGE).subscribe().with(events -> on(() -> {
            stream.fetching = false;
            events.forEach(e -> {
                if (e.seq() > stream.delivered) {
                    stream.waiting.put(e.seq(), e);
                }
            });
            drain(stream);
            fetchIfBehind(stream);
        }), failure -> on(() -> {
            stream.fetching = false;
            LOG.warnf("could not read events of tenant %s (the next check retries): %s", stream.tenant,
                    failure.getMessage());
        }));
    }

    private void on(Runnable task) {
        context.runOnContext(v -> task.run());
    }

    /**
     * Calls {@code task} on the fan-out context with the last seq handed to this instance's
     * connections, as soon as the tenant's stream knows it.
     */
    void whenDelivered(String tenant, LongConsumer task) {
        on(() -> {
            TenantStream stream = stream(tenant);
            if (stream.ready()) {
                task.accept(stream.delivered);
            } else {
                stream.whenReady.add(() -> task.accept(stream.delivered));
            }
        });
    }

    /**
     * The newest seq handed to this instance's connections for the subscriber's tenant, read after
     * the tasks already queued on the subscriber's loop (a join, say): every later event the
     * subscriber is entitled to reaches it live. The {@code lastSeq} of join and {@code get_*}
     * answers (PROTOCOL.md 6.2), from which a fresh page resumes.
     */
    public Uni<Long> lastSeqFor(Subscriber subscriber) {
        return Uni.createFrom().emitter(emitter -> {
            // the caller goes on on its own context: a Hibernate Reactive session is bound to it
            Context caller = Vertx.currentContext();
            subscriber.execute(() -> whenDelivered(subscriber.tenant(), seq -> {
                if (caller == null) {
                    emitter.complete(seq);
                } else {
                    caller.runOnContext(v -> emitter.complete(seq));
                }
            }));
        });
    }
}
