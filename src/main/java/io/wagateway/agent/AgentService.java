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
import io.wagateway.presence.PresenceService;
import io.wagateway.protocol.ErrorCode;
import io.wagateway.protocol.ProtocolException;
import io.wagateway.protocol.Views;
import io.wagateway.security.ClientIdentity;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Agents: recorded from their tokens on every connection, listed for {@code get_agents}, and the
 * directory an admin keeps (PROTOCOL.md 6.8): created before their first connection (so that they
 * can be assigned), renamed, deactivated. Every replica keeps the deactivated agents in memory,
 * read again every {@code app.agents.directory-refresh-interval}, so that an upgrade or a REST call
 * is refused without a query, and a deactivation made on another replica closes the connections
 * here within that interval ({@link AgentDeactivated}).
 */
@ApplicationScoped
public class AgentService {

    private static final int MAX_BATCH = 1000;

    private static final Logger LOG = Logger.getLogger(AgentService.class);

    private final Pool pool;
    private final FanoutService fanout;
    private final ObjectMapper json;
    private final PresenceService presence;
    private final AgentStore store;
    private final Event<AgentDeactivated> deactivations;
    /** The deactivated agents of every tenant, as (tenant, id) keys; replaced whole by each refresh. */
    private volatile Set<Agent.Key> deactivated = Set.of();
    /** Connections that open together are recorded together: a storm of n upgrades is a few statements. */
    private final GroupCommit<ClientIdentity, Void> connections;

    public AgentService(Pool pool, FanoutService fanout, ObjectMapper json, Vertx vertx, GatewayMetrics metrics,
                        PresenceService presence, AgentStore store, Event<AgentDeactivated> deactivations) {
        this.pool = pool;
        this.fanout = fanout;
        this.json = json;
        this.presence = presence;
        this.store = store;
        this.deactivations = deactivations;
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
                           set name = case when agent.named_by_admin then agent.name
                                           else coalesce(excluded.name, agent.name) end,
                               roles = excluded.roles,
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

    /**
     * {@code get_agents} and the admin list: every agent of the tenant (deactivated ones with
     * {@code active: false}), by name, {@code online} while it has a connection on a live replica.
     */
    public Uni<List<Views.Agent>> directory(String tenant) {
        return list(tenant).chain(agents -> presence.online(tenant).map(online -> agents.stream()
                .map(a -> view(a, online.contains(a.key.id()))).toList()));
    }

    /** One agent as the directory shows it, or {@code not_found}. */
    public Uni<Views.Agent> entry(String tenant, String agentId) {
        return find(tenant, agentId).onItem().ifNull().failWith(() -> ProtocolException.notFound("agent " + agentId))
                .chain(agent -> presence.online(tenant).map(online -> view(agent, online.contains(agentId))));
    }

    /**
     * An agent created by an admin before it ever connected: assignable at once, named as the admin
     * says (its tokens' names do not replace it). {@code conflict} when the tenant has it already.
     */
    public Uni<Views.Agent> create(String tenant, String agentId, String name) {
        return store.create(tenant, agentId, name).chain(created -> {
            if (!created) {
                return Uni.createFrom().failure(new ProtocolException(ErrorCode.CONFLICT,
                        "agent " + agentId + " exists already"));
            }
            return entry(tenant, agentId);
        });
    }

    /**
     * Renames, deactivates or reactivates an agent; {@code not_found} for an agent the tenant does not
     * have. A deactivation closes the agent's connections here at once ({@link AgentDeactivated}),
     * on the other replicas at their next refresh; from then on its token is refused.
     *
     * @param name   the new name, or null to keep it
     * @param active the new state, or null to keep it
     */
    public Uni<Views.Agent> update(String tenant, String agentId, String name, Boolean active) {
        return store.update(tenant, agentId, name, active).chain(nowActive -> {
            if (nowActive == null) {
                return Uni.createFrom().failure(ProtocolException.notFound("agent " + agentId));
            }
            if (changed(new Agent.Key(tenant, agentId), nowActive) && !nowActive) {
                deactivations.fire(new AgentDeactivated(tenant, agentId));
            }
            return entry(tenant, agentId);
        });
    }

    /** Applies one agent's state to the in-memory set; whether it changed it. */
    private synchronized boolean changed(Agent.Key key, boolean active) {
        Set<Agent.Key> next = new HashSet<>(deactivated);
        if (!(active ? next.remove(key) : next.add(key))) {
            return false;
        }
        deactivated = Set.copyOf(next);
        return true;
    }

    /** Whether an admin deactivated the user (an agent never created or recorded is not). No query. */
    public boolean isDeactivated(String tenant, String userId) {
        return deactivated.contains(new Agent.Key(tenant, userId));
    }

    void start(@Observes StartupEvent event) {
        refreshDeactivated().await().atMost(Duration.ofSeconds(30));
    }

    /**
     * Reads the deactivated agents again: what another replica's admin call changed. Agents newly
     * deactivated since the last read have their connections here closed.
     */
    @Scheduled(every = "${app.agents.directory-refresh-interval}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> refreshDeactivated() {
        return store.deactivated()
                .invoke(now -> replace(now).forEach(key -> deactivations.fire(new AgentDeactivated(key.tenantId(), key.id()))))
                .onFailure().invoke(f -> LOG.warnf("could not read the deactivated agents: %s", f.getMessage()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    /** Replaces the in-memory set with what the table says; the agents it did not have before. */
    private synchronized List<Agent.Key> replace(Set<Agent.Key> now) {
        Set<Agent.Key> before = deactivated;
        deactivated = Set.copyOf(now);
        return now.stream().filter(key -> !before.contains(key)).toList();
    }

    private static Views.Agent view(Agent a, boolean online) {
        return new Views.Agent(a.key.id(), a.name, a.status, online && a.active, a.active);
    }
}
