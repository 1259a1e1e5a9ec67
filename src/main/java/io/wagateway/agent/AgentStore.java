package io.wagateway.agent;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.HashSet;
import java.util.Set;

/** The SQL of the agent directory (PROTOCOL.md 6.8); one statement each, no events. */
@ApplicationScoped
public class AgentStore {

    private final Pool pool;

    public AgentStore(Pool pool) {
        this.pool = pool;
    }

    /** Inserts the agent (and its tenant, created implicitly); false when the tenant has it already. */
    Uni<Boolean> create(String tenant, String agentId, String name) {
        return pool.preparedQuery("""
                        with tenants as (insert into tenant (id) values ($1) on conflict (id) do nothing)
                        insert into agent (tenant_id, id, name, named_by_admin) values ($1, $2, $3, true)
                        on conflict (tenant_id, id) do nothing
                        returning id""")
                .execute(Tuple.of(tenant, agentId, name))
                .map(rows -> rows.rowCount() > 0);
    }

    /**
     * Renames ({@code name} not null: the admin's name then stays) and (de)activates; null keeps the
     * field. The agent's state afterwards, or null when the tenant has no such agent.
     */
    Uni<Boolean> update(String tenant, String agentId, String name, Boolean active) {
        return pool.preparedQuery("""
                        update agent set name = coalesce($3, name), named_by_admin = named_by_admin or $3 is not null,
                                         active = coalesce($4, active), updated_at = now()
                         where tenant_id = $1 and id = $2
                        returning active""")
                .execute(Tuple.of(tenant, agentId, name, active))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getBoolean(0));
    }

    /** Every deactivated agent of every tenant (few: a partial index keeps the read small). */
    Uni<Set<Agent.Key>> deactivated() {
        return pool.preparedQuery("select tenant_id, id from agent where not active").execute()
                .map(rows -> {
                    Set<Agent.Key> keys = new HashSet<>();
                    rows.forEach(row -> keys.add(new Agent.Key(row.getString(0), row.getString(1))));
                    return keys;
                });
    }
}
