package io.wagateway.tenant;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

/** Tenants exist implicitly: created the first time a number, an agent or a delivery names them. */
@ApplicationScoped
public class TenantRepository {

    private final Pool pool;

    public TenantRepository(Pool pool) {
        this.pool = pool;
    }

    /**
     * Idempotent, and committed on its own: a tenant row is never removed, so a caller's own
     * transaction can reference it whatever becomes of that transaction.
     */
    public Uni<Void> ensureExists(String tenant) {
        return pool.preparedQuery("insert into tenant (id) values ($1) on conflict (id) do nothing")
                .execute(Tuple.of(tenant)).replaceWithVoid();
    }
}
