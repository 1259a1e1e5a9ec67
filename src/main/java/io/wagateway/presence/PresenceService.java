package io.wagateway.presence;

import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.wagateway.config.AppConfig;
import io.wagateway.fanout.EventBus;
import io.wagateway.fanout.PresenceChange;
import io.wagateway.presence.PresenceStore.User;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Who is online, across every replica. Each instance counts its own connections per user and
 * keeps one {@code presence} row per user it has; a user is online while a row of a live instance
 * names them. {@code user_online} goes out when a user's first row anywhere is written and
 * {@code user_offline} when the last one goes, decided under per-user advisory locks so that two
 * replicas never both announce one flip.
 *
 * <p>A user's last connection closing does not remove the row at once: it stays for
 * {@code app.presence.offline-grace}, so that a reload, or a tab that moves to another replica,
 * is no flicker, and a connection opened elsewhere meanwhile always finds the row there.
 *
 * <p>Rows are written in batches: whatever connected or disconnected while one transaction ran
 * goes into the next one, so a storm of n users costs a few transactions, not n.
 */
@ApplicationScoped
public class PresenceService implements EventBus.Listener {

    private static final Logger LOG = Logger.getLogger(PresenceService.class);

    private final Pool pool;
    private final PresenceStore store;
    private final Vertx vertx;
    private final EventBus bus;
    private final PresenceFrames frames;
    private final long graceMs;
    /** Open connections per user on this instance (any thread). */
    private final ConcurrentMap<User, Integer> local = new ConcurrentHashMap<>();

    // guarded by this
    /** Users whose row here may have to be written or removed: reconciled with {@link #local}. */
    private Set<User> toReconcile = new LinkedHashSet<>();
    /** Users whose rows on a dead instance were swept: offline unless someone still has them. */
    private Set<User> toRecheck = new LinkedHashSet<>();
    private boolean writing;
    private boolean stopped;

    /** Users with a row of this instance; touched by the one running batch only. */
    private final Set<User> rowsHere = new HashSet<>();

    public PresenceService(Pool pool, PresenceStore store, Vertx vertx, EventBus bus, PresenceFrames frames,
                           AppConfig config) {
        this.pool = pool;
        this.store = store;
        this.vertx = vertx;
        this.bus = bus;
        this.frames = frames;
        this.graceMs = config.presence().offlineGrace().toMillis();
    }

    void start(@Observes StartupEvent event) {
        store.heartbeat().await().indefinitely();
        bus.listen(this);
    }

    /** A connection of the user opened on this instance. */
    public void connected(String tenant, String userId) {
        User user = new User(tenant, userId);
        if (local.merge(user, 1, Integer::sum) == 1) {
            schedule(user, toReconcile);
        }
    }

    /** A connection of the user closed on this instance: after the grace period, maybe offline. */
    public void disconnected(String tenant, String userId) {
        User user = new User(tenant, userId);
        if (local.computeIfPresent(user, (u, n) -> n <= 1 ? null : n - 1) == null) {
            if (graceMs <= 0) {
                schedule(user, toReconcile);
            } else {
                vertx.setTimer(graceMs, id -> {
                    if (!local.containsKey(user)) {
                        schedule(user, toReconcile);
                    }
                });
            }
        }
    }

    /** Another instance decided flips: its frames for this instance's connections. */
    @Override
    public void presence(PresenceChange change) {
        frames.changed(change);
    }

    /** The users of the tenant with a connection on a live instance (or opened here a moment ago). */
    public Uni<Set<String>> online(String tenant) {
        return store.online(tenant).map(users -> {
            local.keySet().forEach(user -> {
                if (user.tenant().equals(tenant)) {
                    users.add(user.userId()); // its row may still be in the next batch
                }
            });
            return users;
        });
    }

    @Scheduled(every = "${app.presence.heartbeat}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> heartbeat() {
        return store.heartbeat()
                .chain(store::sweep) // the users of instances that stopped: offline unless someone still has them
                .invoke(swept -> swept.forEach(user -> schedule(user, toRecheck)))
                .replaceWithVoid()
                .onFailure().invoke(f -> LOG.warnf("presence heartbeat failed: %s", f.getMessage()))
                .onFailure().recoverWithNull();
    }

    /**
     * Leaving cleanly (readiness is already DOWN, connections are closing with 1001): this
     * instance's rows go in one statement, and its users who have no connection elsewhere go
     * offline now rather than after the expiry.
     */
    void stop(@Observes ShutdownDelayInitiatedEvent event) {
        synchronized (this) {
            stopped = true;
        }
        try {
            pool.withTransaction(conn -> store.removeAllHere(conn).chain(gone -> {
                        List<User> users = new ArrayList<>(gone);
                        return store.lock(conn, users).chain(() -> store.onlineElsewhere(conn, users))
                                .invoke(elsewhere -> announce(List.of(),
                                        users.stream().filter(u -> !elsewhere.contains(u)).toList()));
                    }))
                    .chain(store::removeInstance)
                    .await().atMost(Duration.ofSeconds(5));
            local.clear();
        } catch (RuntimeException e) {
            LOG.warnf("presence cleanup at shutdown failed (the other instances sweep it): %s", e.getMessage());
        }
    }

    // ---- batches

    private void schedule(User user, Set<User> into) {
        synchronized (this) {
            if (stopped) {
                return;
            }
            into.add(user);
            if (writing) {
                return; // the running batch starts the next one when it is done
            }
            writing = true;
        }
        vertx.runOnContext(v -> writeBatch());
    }

    /** One transaction for everything scheduled since the last one; then the next, if any. */
    private void writeBatch() {
        Set<User> reconcile;
        Set<User> recheck;
        synchronized (this) {
            reconcile = toReconcile;
            recheck = toRecheck;
            toReconcile = new LinkedHashSet<>();
            toRecheck = new LinkedHashSet<>();
            if (stopped || (reconcile.isEmpty() && recheck.isEmpty())) {
                writing = false;
                return;
            }
        }
        List<User> insert = new ArrayList<>();
        List<User> delete = new ArrayList<>();
        for (User user : reconcile) {
            boolean wanted = local.containsKey(user);
            if (wanted && !rowsHere.contains(user)) {
                insert.add(user);
            } else if (!wanted && rowsHere.contains(user)) {
                delete.add(user);
            }
        }
        List<User> recheckOffline = recheck.stream().filter(u -> !local.containsKey(u)).toList();
        List<User> decided = new ArrayList<>(insert);
        decided.addAll(delete);
        decided.addAll(recheckOffline);
        if (decided.isEmpty()) {
            writeBatch();
            return;
        }
        pool.withTransaction(conn -> store.lock(conn, decided)
                        .chain(() -> store.insertHere(conn, insert))
                        .chain(() -> store.deleteHere(conn, delete))
                        .chain(() -> store.onlineElsewhere(conn, decided)))
                .subscribe().with(elsewhere -> {
                    rowsHere.addAll(insert);
                    delete.forEach(rowsHere::remove);
                    List<User> offline = new ArrayList<>(delete);
                    offline.addAll(recheckOffline);
                    announce(insert.stream().filter(u -> !elsewhere.contains(u)).toList(),
                            offline.stream().filter(u -> !elsewhere.contains(u) && !local.containsKey(u)).toList());
                    writeBatch();
                }, failure -> {
                    LOG.warnf("presence of %d users not recorded, retrying: %s", decided.size(), failure.getMessage());
                    synchronized (this) {
                        toReconcile.addAll(reconcile);
                        toRecheck.addAll(recheck);
                    }
                    vertx.setTimer(500, id -> writeBatch());
                });
    }

    /** Flips, per tenant: frames for this instance's connections and a notification for the others. */
    private void announce(List<User> online, List<User> offline) {
        Map<String, PresenceChange> byTenant = new HashMap<>();
        online.forEach(u -> byTenant.computeIfAbsent(u.tenant(), t -> new PresenceChange(t, new ArrayList<>(),
                new ArrayList<>())).online().add(u.userId()));
        offline.forEach(u -> byTenant.computeIfAbsent(u.tenant(), t -> new PresenceChange(t, new ArrayList<>(),
                new ArrayList<>())).offline().add(u.userId()));
        byTenant.values().forEach(change -> {
            frames.changed(change);
            bus.publish(change);
        });
    }

    /** For tests: users this instance counts as connected. */
    List<String> localUsers() {
        return local.keySet().stream().map(User::userId).toList();
    }
}
