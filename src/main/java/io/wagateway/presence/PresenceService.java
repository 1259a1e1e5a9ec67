package io.wagateway.presence;

import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.wagateway.config.AppConfig;
import io.wagateway.config.InstanceId;
import io.wagateway.fanout.EventBus;
import io.wagateway.fanout.PresenceChange;
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

    record User(String tenant, String userId) {}

    private final Pool pool;
    private final Vertx vertx;
    private final EventBus bus;
    private final PresenceFrames frames;
    private final String instance;
    private final double expirySeconds;
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

    public PresenceService(Pool pool, Vertx vertx, EventBus bus, PresenceFrames frames, InstanceId instanceId,
                           AppConfig config) {
        this.pool = pool;
        this.vertx = vertx;
        this.bus = bus;
        this.frames = frames;
        this.instance = instanceId.value();
        this.expirySeconds = Math.max(1, config.presence().expiry().toSeconds());
        this.graceMs = config.presence().offlineGrace().toMillis();
    }

    void start(@Observes StartupEvent event) {
        pool.preparedQuery("insert into instance (id) values ($1) on conflict (id) do update set heartbeat_at = now()")
                .execute(Tuple.of(instance)).await().indefinitely();
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
        return pool.preparedQuery("""
                        select distinct p.user_id from presence p join instance i on i.id = p.instance_id
                         where p.tenant_id = $1 and i.heartbeat_at > now() - make_interval(secs => $2)""")
                .execute(Tuple.of(tenant, expirySeconds))
                .map(rows -> {
                    Set<String> users = new HashSet<>();
                    rows.forEach(row -> users.add(row.getString(0)));
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
        return pool.preparedQuery("""
                        insert into instance (id) values ($1) on conflict (id) do update set heartbeat_at = now()""")
                .execute(Tuple.of(instance)).replaceWithVoid()
                .chain(this::sweep)
                .onFailure().invoke(f -> LOG.warnf("presence heartbeat failed: %s", f.getMessage()))
                .onFailure().recoverWithNull();
    }

    /**
     * Takes over the rows of instances that stopped heartbeating; their users may now be offline.
     * One statement removes the presence rows and returns them before the instance row goes (the
     * cascade would otherwise remove them silently); concurrent sweepers each get disjoint rows.
     */
    private Uni<Void> sweep() {
        return pool.preparedQuery("""
                        with dead as (select id from instance
                                       where id <> $1 and heartbeat_at < now() - make_interval(secs => $2)),
                             gone as (delete from presence where instance_id in (select id from dead)
                                      returning tenant_id, user_id),
                             removed as (delete from instance where id in (select id from dead) returning id)
                        select tenant_id, user_id, (select count(*) from removed) from gone""")
                .execute(Tuple.of(instance, expirySeconds))
                .invoke(rows -> rows.forEach(r -> schedule(new User(r.getString(0), r.getString(1)), toRecheck)))
                .replaceWithVoid();
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
            List<User> gone = new ArrayList<>();
            pool.withTransaction(conn -> conn.preparedQuery("""
                                    delete from presence where instance_id = $1 returning tenant_id, user_id""")
                            .execute(Tuple.of(instance))
                            .invoke(rows -> rows.forEach(r -> gone.add(new User(r.getString(0), r.getString(1)))))
                            .chain(() -> lock(conn, gone))
                            .chain(() -> stillOnlineElsewhere(conn, gone)))
                    .invoke(elsewhere -> announce(List.of(), gone.stream().filter(u -> !elsewhere.contains(u)).toList()))
                    .chain(() -> pool.preparedQuery("delete from instance where id = $1").execute(Tuple.of(instance)))
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
        pool.withTransaction(conn -> lock(conn, decided)
                        .chain(() -> execute(conn, "insert into presence (instance_id, tenant_id, user_id) "
                                + "select $1, t, u from unnest($2::text[], $3::text[]) as x(t, u) on conflict do nothing",
                                insert))
                        .chain(() -> execute(conn, "delete from presence where instance_id = $1 and (tenant_id, user_id) "
                                + "in (select t, u from unnest($2::text[], $3::text[]) as x(t, u))", delete))
                        .chain(() -> stillOnlineElsewhere(conn, decided)))
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

    /** Per-user advisory locks, taken in one order by every instance so that batches never deadlock. */
    private static Uni<Void> lock(SqlConnection conn, List<User> users) {
        if (users.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return conn.preparedQuery("""
                        select pg_advisory_xact_lock(h) from (
                          select distinct hashtext('presence:' || t || ':' || u) as h
                            from unnest($1::text[], $2::text[]) as x(t, u)) k order by h""")
                .execute(Tuple.of(tenants(users), userIds(users))).replaceWithVoid();
    }

    private Uni<Void> execute(SqlConnection conn, String sql, List<User> users) {
        if (users.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return conn.preparedQuery(sql).execute(Tuple.of(instance, tenants(users), userIds(users))).replaceWithVoid();
    }

    /** Which of the users have a row on another live instance. */
    private Uni<Set<User>> stillOnlineElsewhere(SqlConnection conn, List<User> users) {
        if (users.isEmpty()) {
            return Uni.createFrom().item(Set.of());
        }
        return conn.preparedQuery("""
                        select distinct p.tenant_id, p.user_id from presence p join instance i on i.id = p.instance_id
                         where (p.tenant_id, p.user_id) in (select t, u from unnest($1::text[], $2::text[]) as x(t, u))
                           and p.instance_id <> $3 and i.heartbeat_at > now() - make_interval(secs => $4)""")
                .execute(Tuple.of(tenants(users), userIds(users), instance, expirySeconds))
                .map(PresenceService::users);
    }

    private static Set<User> users(RowSet<Row> rows) {
        Set<User> users = new HashSet<>();
        rows.forEach(r -> users.add(new User(r.getString(0), r.getString(1))));
        return users;
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

    private static String[] tenants(List<User> users) {
        return users.stream().map(User::tenant).toArray(String[]::new);
    }

    private static String[] userIds(List<User> users) {
        return users.stream().map(User::userId).toArray(String[]::new);
    }

    /** For tests: users this instance counts as connected. */
    List<String> localUsers() {
        return local.keySet().stream().map(User::userId).toList();
    }
}
