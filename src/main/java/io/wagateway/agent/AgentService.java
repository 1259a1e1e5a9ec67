package io.wagateway.agent;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import io.wagateway.security.ClientIdentity;
import io.wagateway.tenant.TenantRepository;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/** Agents: recorded from their tokens on every connection, listed for {@code get_agents}. */
@ApplicationScoped
public class AgentService {

    private final TenantRepository tenants;

    public AgentService(TenantRepository tenants) {
        this.tenants = tenants;
    }

    /** Upserts the agent from a verified identity; keeps its status. */
    @WithTransaction
    public Uni<Void> recordConnection(ClientIdentity identity) {
        return tenants.ensureExists(identity.tenant()).chain(() -> Panache.getSession()).chain(session -> session
                .createNativeQuery("""
                        insert into agent (tenant_id, id, name, roles, last_seen_at)
                        values (:tenant, :id, :name, :roles, now())
                        on conflict (tenant_id, id) do update
                           set name = coalesce(excluded.name, agent.name), roles = excluded.roles,
                               last_seen_at = now(), updated_at = now()""")
                .setParameter("tenant", identity.tenant())
                .setParameter("id", identity.userId())
                .setParameter("name", identity.name())
                .setParameter("roles", String.join(",", identity.roles().stream().sorted().toList()))
                .executeUpdate()).replaceWithVoid();
    }

    /** Persists the agent's status; returns false when the agent is unknown. */
    @WithTransaction
    public Uni<Boolean> updateStatus(ClientIdentity identity, String status) {
        return Agent.<Agent>findById(new Agent.Key(identity.tenant(), identity.userId())).map(agent -> {
            if (agent == null) {
                return false;
            }
            agent.status = status;
            agent.updatedAt = java.time.Instant.now();
            return true;
        });
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
