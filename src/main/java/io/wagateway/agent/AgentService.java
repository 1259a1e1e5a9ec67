package io.wagateway.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import io.wagateway.config.JsonText;
import io.wagateway.fanout.Ephemeral;
import io.wagateway.fanout.FanoutService;
import io.wagateway.fanout.GroupCommit;
import io.wagateway.metrics.GatewayMetrics;
import io.wagateway.protocol.ServerFrame;
import io.wagateway.security.ClientIdentity;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Agents: recorded from their tokens on every connection, listed for {@code get_agents}. */
@ApplicationScoped
public class AgentService {

    private static final int MAX_BATCH = 1000;

    private final Pool pool;
    private final FanoutService fanout;
    private final ObjectMapper json;
    /** Connections that open together are recorded together: a storm of n upgrades is a few statements. */
    private final GroupCommit<ClientIdentity, Void> connections;

    public AgentService(Pool pool, FanoutService fanout, ObjectMapper json, Vertx vertx, GatewayMetrics metrics) {
        this.pool = pool;
        this.fanout = fanout;
        this.json = json;
        this.connections = new GroupCommit<>(vertx, MAX_BATCH, this::record, size -> metrics.groupCommit("agents", size));
    }

    /** Upserts the agent from a verified identity; keeps its status. */
    public Uni<Void> recordConnection(ClientIdentity identity) {
        return connections.submit(identity.tenant(), identity);
    }

    private Uni<GroupCommit.Outcome> record(List<ClientIdentity> batch) {
        // one row per agent: an upsert may not touch a row twice; the newest token wins
        Map<List<String>, ClientIdentity> agents = new LinkedHashMap<>();
        batch.forEach(identity -> agents.put(List.of(identity.tenant(), identity.userId()), identity));
        List<String> tenants = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<String> roles = new ArrayList<>();
        agents.values().forEach(identity -> {
            tenants.add(identity.tenant());
            ids.add(identity.userId());
            names.add(identity.name());
            roles.add(String.join(",", identity.roles().stream().sorted().toList()));
        });
        return pool.withTransaction(conn -> conn.preparedQuery("""
                        with tenants as (insert into tenant (id) select distinct t from unnest($1::text[]) as t
                                         on conflict (id) do nothing)
                        insert into agent (tenant_id, id, name, roles, last_seen_at)
                        select t, i, n, r, now() from unnest($1::text[], $2::text[], $3::text[], $4::text[]) as x(t, i, n, r)
                        on conflict (tenant_id, id) do update
                           set name = coalesce(excluded.name, agent.name), roles = excluded.roles,
                               last_seen_at = now(), updated_at = now()""")
                        .execute(Tuple.of(tenants.toArray(String[]::new), ids.toArray(String[]::new),
                                names.toArray(String[]::new), roles.toArray(String[]::new))))
                .map(done -> new GroupCommit.Outcome(Collections.nCopies(batch.size(), null), List.of()));
    }

    /** {@code agent_status_changed}: pushed to the tenant, not logged. */
    @RegisterForReflection
    public record StatusChanged(String agentId, String status, Instant timestamp) {}

    /**
     * Persists the agent's status and tells the tenant ({@code agent_status_changed}); an unknown
     * agent (never connected) changes nothing.
     */
    public Uni<Void> changeStatus(ClientIdentity identity, String status) {
        return pool.preparedQuery("update agent set status = $3, updated_at = now() where tenant_id = $1 and id = $2")
                .execute(Tuple.of(identity.tenant(), identity.userId(), status))
                .invoke(rows -> {
                    if (rows.rowCount() > 0) {
                        fanout.publish(new Ephemeral(identity.tenant(), JsonText.of(json, ServerFrame.push(
                                "agent_status_changed", new StatusChanged(identity.userId(), status, Instant.now()))),
                                null, null));
                    }
                })
                .replaceWithVoid();
    }

    @WithSession
    public Uni<List<Agent>> list(String tenant) {
        return Agent.<Agent>list("key.tenantId = ?1 order by coalesce(name, key.id), key.id", tenant);
    }

    @WithSession
    public Uni<Agent> find(String tenant, String agentId) {
        return Agent.findById(new Agent.Key(tenant, agentId));
    }
}
