package io.wagateway.phonenumber;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.UUID;

@ApplicationScoped
@WithSession
public class PhoneNumberRepository implements PanacheRepositoryBase<PhoneNumber, UUID> {

    public Uni<PhoneNumber> findByMetaId(String phoneNumberId) {
        return find("phoneNumberId", phoneNumberId).firstResult();
    }

    public Uni<List<PhoneNumber>> listByTenant(String tenant) {
        return list("tenantId = ?1 order by createdAt, id", tenant);
    }

    public Uni<PhoneNumber> findByTenantAndDisplayNumber(String tenant, String digits) {
        return find("tenantId = ?1 and displayPhoneNumber = ?2", tenant, digits).firstResult();
    }

    /** The tenant's first registered number: the sender when a request names none. */
    public Uni<PhoneNumber> findDefault(String tenant) {
        return find("tenantId = ?1 order by createdAt, id", tenant).firstResult();
    }
}
