package io.wagateway.presence;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.wagateway.config.AppConfig;
import io.wagateway.config.InstanceId;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The SQL of presence: one {@code presence} row per user per instance that has them, one
 * {@code instance} row per live instance with its heartbeat. Set-based: a batch of users is one
 * statement per step.
 */
@ApplicationScoped
class PresenceStore {

    /** A user of a tenant. */
    record User(String tenant, String userId) {}

    private final Pool pool;
    private final String instance;
    private final double expirySeconds;

    PresenceStore(Pool pool, InstanceId instanceId, AppConfig config) {
        this.pool = pool;
        this.instance = instanceId.value();
        this.expirySeconds = Math.max(1, config.presence().expiry().toSeconds());
    }

    /** The users of the tenant with a row on a live instance. */
    Uni<Set<String>> online(String tenant) {
        return pool.preparedQuery("""
                        select distinct p.user_id from presence p join instance i on i.id = p.instance_id
                         where p.tenant_id = $1 and i.heartbeat_at > now() - make_interval(secs => $2)""")
                .execute(Tuple.of(tenant, expirySeconds))
                .map(rows -> {
                    Set<String> users = new HashSet<>();
                    rows.forEach(row -> users.add(row.getString(0)));
                    return users;
                });
    }

    Uni<Void> heartbeat() {
        return pool.preparedQuery("""
                        insert into instance (id) values ($1) on conflict (id) do update set heartbeat_at = now()""")
                .execute(Tuple.of(instance)).replaceWithVoid();
    }

    /**
     * Takes over the rows of instances that stopped heartbeating and returns their users. One
     * statement removes the presence rows and returns them before the instance row goes (the
     * cascade would otherwise remove them silently); concurrent sweepers each get disjoint rows.
     */
    Uni<Set<User>> sweep() {
        return pool.preparedQuery("""
                        with dead as (select id from instance
                                       where id <> $1 and heartbeat_at < now() - make_interval(secs => $2)),
                             gone as (delete from presence where instance_id in (select id from dead)
                                      returning tenant_id, user_id),
                             removed as (delete from instance where id in (select id from dead) returning id)
                        select tenant_id, user_id, (select count(*) from removed) from gone""")
                .execute(Tuple.of(instance, expirySeconds))
                .map(PresenceStore::users);
    }

    /** This instance's rows, removed (leaving cleanly): their users. */
    Uni<Set<User>> removeAllHere(SqlConnection conn) {
        return conn.preparedQuery("delete from presence where instance_id = $1 returning tenant_id, user_id")
                .execute(Tuple.of(instance))
                .map(PresenceStore::users);
    }

    Uni<Void> removeInstance() {
        return pool.preparedQuery("delete from instance where id = $1").execute(Tuple.of(instance)).replaceWithVoid();
    }

    /** Per-user advisory locks, taken in one order by every instance so that batches never deadlock. */
    Uni<Void> lock(SqlConnection conn, List<User> users) {
        if (users.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return conn.preparedQuery("""
                        select pg_advisory_xact_lock(h) from (
                          select distinct hashtext('presence:' || t || ':' || u) as h
                            from unnest($1::text[], $2::text[]) as x(t, u)) k order by h""")
                .execute(Tuple.of(tenants(users), userIds(users))).replaceWithVoid();
    }

    Uni<Void> insertHere(SqlConnection conn, List<User> users) {
        return forUsers(conn, "insert into presence (instance_id, tenant_id, user_id) "
                + "select $1, t, u from unnest($2::text[], $3::text[]) as x(t, u) on conflict do nothing", users);
    }

    Uni<Void> deleteHere(SqlConnection conn, List<User> users) {
        return forUsers(conn, "delete from presence where instance_id = $1 and (tenant_id, user_id) "
                + "in (select t, u from unnest($2::text[], $3::text[]) as x(t, u))", users);
    }

    private Uni<Void> forUsers(SqlConnection conn, String sql, List<User> users) {
        if (users.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return conn.preparedQuery(sql).execute(Tuple.of(instance, tenants(users), userIds(users))).replaceWithVoid();
    }

    /** Which of the users have a row on another live instance. */
    Uni<Set<User>> onlineElsewhere(SqlConnection conn, List<User> users) {
        if (users.isEmpty()) {
            return Uni.createFrom().item(Set.of());
        }
        return conn.preparedQuery("""
                        select distinct p.tenant_id, p.user_id from presence p join instance i on i.id = p.instance_id
                         where (p.tenant_id, p.user_id) in (select t, u from unnest($1::text[], $2::text[]) as x(t, u))
                           and p.instance_id <> $3 and i.heartbeat_at > now() - make_interval(secs => $4)""")
                .execute(Tuple.of(tenants(users), userIds(users), instance, expirySeconds))
                .map(PresenceStore::users);
    }

    private static Set<User> users(RowSet<Row> rows) {
        Set<User> users = new HashSet<>();
        rows.forEach(r -> users.add(new User(r.getString(0), r.getString(1))));
        return users;
    }

    private static String[] tenants(List<User> users) {
        return users.stream().map(User::tenant).toArray(String[]::new);
    }

    private static String[] userIds(List<User> users) {
        return users.stream().map(User::userId).toArray(String[]::new);
    }
}
