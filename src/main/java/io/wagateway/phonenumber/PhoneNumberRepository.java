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

    /** The tenant's number with this Meta phone-number-id, or null (also when another tenant owns it). */
    public Uni<PhoneNumber> findByTenantAndMetaId(String tenant, String phoneNumberId) {
        return find("tenantId = ?1 and phoneNumberId = ?2", tenant, phoneNumberId).firstResult();
    }

    /** The tenant's first registered number: the sender when a request names none. */
    public Uni<PhoneNumber> findDefault(String tenant) {
        return find("tenantId = ?1 order by createdAt, id", tenant).firstResult();
    }
}
