package io.wagateway.tenant;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** Tenants exist implicitly: created the first time a number, an agent or a delivery names them. */
@ApplicationScoped
public class TenantRepository {

    /**
     * Must run inside a session; idempotent. Hibernate, not the Vert.x client, because its one caller
     * is the phone-number registration's Panache transaction (see the README's project layout).
     */
    public Uni<Void> ensureExists(String tenant) {
        return Panache.getSession().chain(session -> session
                .createNativeQuery("insert into tenant (id) values (:id) on conflict (id) do nothing")
                .setParameter("id", tenant)
                .executeUpdate()).replaceWithVoid();
    }
}
