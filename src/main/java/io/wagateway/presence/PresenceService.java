package io.wagateway.presence;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.wagateway.config.AppConfig;
import io.wagateway.config.InstanceId;
import io.wagateway.config.JsonText;
import io.wagateway.fanout.Ephemeral;
import io.wagateway.fanout.FanoutService;
import io.wagateway.protocol.ServerFrame;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Who is online, across every replica. Each instance counts its own connections per user and
 * keeps one {@code presence} row per connected user; {@code user_online} goes out when a user's
 * first connection anywhere opens and {@code user_offline} when the last one anywhere closes.
 * Both decisions are taken under a per-user advisory lock, so two replicas never both announce
 * the same flip. Instances heartbeat; the rows of one that stops (killed, partitioned) are swept
 * by the others after {@code app.presence.expiry}, and its users go offline then.
 */
@ApplicationScoped
public class PresenceService {

    private static final Logger LOG = Logger.getLogger(PresenceService.class);

    private record User(String tenant, String userId) {}

    private final Pool pool;
    private final FanoutService fanout;
    private final ObjectMapper json;
    private final String instance;
    private final long expirySeconds;
    private final ConcurrentMap<User, Integer> local = new ConcurrentHashMap<>();
    /** Per user, the database step in flight: steps of one user run in order. */
    private final ConcurrentMap<User, CompletionStage<Void>> tails = new ConcurrentHashMap<>();

    public PresenceService(Pool pool, FanoutService fanout, ObjectMapper json, InstanceId instanceId, AppConfig config) {
        this.pool = pool;
        this.fanout = fanout;
        this.json = json;
        this.instance = instanceId.value();
        this.expirySeconds = Math.max(1, config.presence().expiry().toSeconds());
    }

    void start(@Observes StartupEvent event) {
        pool.preparedQuery("insert into instance (id) values ($1) on conflict (id) do update set heartbeat_at = now()")
                .execute(Tuple.of(instance)).await().indefinitely();
    }

    /** A connection of the user opened on this instance. */
    public void connected(String tenant, String userId) {
        User user = new User(tenant, userId);
        if (local.merge(user, 1, Integer::sum) == 1) {
            step(user, () -> flip(user, true));
        }
    }

    /** A connection of the user closed on this instance. */
    public void disconnected(String tenant, String userId) {
        User user = new User(tenant, userId);
        Integer left = local.computeIfPresent(user, (u, n) -> n <= 1 ? null : n - 1);
        if (left == null) {
            step(user, () -> flip(user, false));
        }
    }

    /** The users of the tenant with a connection on a live instance. */
    public Uni<Set<String>> online(String tenant) {
        return pool.preparedQuery("""
                        select distinct p.user_id from presence p join instance i on i.id = p.instance_id
                         where p.tenant_id = $1 and i.heartbeat_at > now() - make_interval(secs => $2)""")
                .execute(Tuple.of(tenant, (double) expirySeconds))
                .map(rows -> {
                    Set<String> users = new HashSet<>();
                    rows.forEach(row -> users.add(row.getString(0)));
                    return users;
                });
    }

    @Scheduled(every = "${app.presence.heartbeat:5s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
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
                .execute(Tuple.of(instance, (double) expirySeconds))
                .invoke(rows -> rows.forEach(r -> {
                    User user = new User(r.getString(0), r.getString(1));
                    step(user, () -> recheckOffline(user));
                }))
                .replaceWithVoid();
    }

    /** Leaving cleanly: this instance's users go offline now if nobody else has them. */
    void stop(@Observes ShutdownDelayInitiatedEvent event) {
        try {
            pool.preparedQuery("delete from presence where instance_id = $1 returning tenant_id, user_id")
                    .execute(Tuple.of(instance))
                    .chain(rows -> {
                        Uni<Void> chain = Uni.createFrom().voidItem();
                        for (Row r : rows) {
                            User user = new User(r.getString(0), r.getString(1));
                            chain = chain.chain(() -> recheckOffline(user));
                        }
                        return chain;
                    })
                    .chain(() -> pool.preparedQuery("delete from instance where id = $1").execute(Tuple.of(instance)))
                    .await().atMost(java.time.Duration.ofSeconds(5));
            local.clear();
        } catch (RuntimeException e) {
            LOG.warnf("presence cleanup at shutdown failed (others sweep it): %s", e.getMessage());
        }
    }

    /** Adds or removes this instance's row and, if that flipped the user's state everywhere, says so. */
    private Uni<Void> flip(User user, boolean online) {
        return pool.withTransaction(conn -> lock(conn, user)
                        .chain(() -> conn.preparedQuery(online
                                        ? "insert into presence (instance_id, tenant_id, user_id) values ($1, $2, $3) on conflict do nothing"
                                        : "delete from presence where instance_id = $1 and tenant_id = $2 and user_id = $3")
                                .execute(Tuple.of(instance, user.tenant(), user.userId())))
                        .chain(() -> othersOnline(conn, user)))
                .invoke(others -> {
                    if (others == 0) {
                        announce(user, online);
                    }
                })
                .replaceWithVoid();
    }

    private Uni<Void> recheckOffline(User user) {
        return pool.withTransaction(conn -> lock(conn, user).chain(() -> othersOnline(conn, user)))
                .invoke(others -> {
                    if (others == 0 && !local.containsKey(user)) {
                        announce(user, false);
                    }
                })
                .replaceWithVoid();
    }

    private static Uni<Void> lock(SqlConnection conn, User user) {
        return conn.preparedQuery("select pg_advisory_xact_lock(hashtext($1))")
                .execute(Tuple.of("presence:" + user.tenant() + ":" + user.userId())).replaceWithVoid();
    }

    private Uni<Long> othersOnline(SqlConnection conn, User user) {
        return conn.preparedQuery("""
                        select count(*) from presence p join instance i on i.id = p.instance_id
                         where p.tenant_id = $1 and p.user_id = $2 and p.instance_id <> $3
                           and i.heartbeat_at > now() - make_interval(secs => $4)""")
                .execute(Tuple.of(user.tenant(), user.userId(), instance, (double) expirySeconds))
                .map(rows -> rows.iterator().next().getLong(0));
    }

    private void announce(User user, boolean online) {
        String frame = JsonText.of(json, ServerFrame.push(online ? "user_online" : "user_offline",
                Map.of("userId", user.userId(), "timestamp", Instant.now().toString())));
        fanout.publish(new Ephemeral(user.tenant(), frame, null, null));
    }

    private void step(User user, java.util.function.Supplier<Uni<Void>> work) {
        tails.compute(user, (u, tail) -> {
            CompletionStage<Void> previous = tail == null ? CompletableFuture.completedFuture(null) : tail;
            return previous.thenCompose(v -> work.get()
                    .onFailure().invoke(f -> LOG.warnf("presence of %s not recorded: %s", u.userId(), f.getMessage()))
                    .onFailure().recoverWithNull().subscribeAsCompletionStage());
        });
    }

    /** For tests: users this instance counts as connected. */
    List<String> localUsers() {
        return local.keySet().stream().map(User::userId).toList();
    }
}
