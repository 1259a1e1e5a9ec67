package io.wagateway.phonenumber;

import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import io.wagateway.protocol.ErrorCode;
import io.wagateway.protocol.ProtocolException;
import io.wagateway.tenant.TenantRepository;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Registers and lists a tenant's WhatsApp numbers. */
@ApplicationScoped
public class PhoneNumberService {

    private final PhoneNumberRepository numbers;
    private final TenantRepository tenants;

    public PhoneNumberService(PhoneNumberRepository numbers, TenantRepository tenants) {
        this.numbers = numbers;
        this.tenants = tenants;
    }

    public record Registration(String phoneNumberId, String wabaId, String displayPhoneNumber,
                               String verifiedName, String accessToken) {}

    /**
     * Creates the number for the tenant, or updates it when the tenant already owns it. A Meta
     * phone-number-id owned by another tenant is refused with {@code forbidden}, revealing nothing else.
     */
    @WithTransaction
    public Uni<PhoneNumber> register(String tenant, Registration registration) {
        String digits = Numbers.digits(registration.displayPhoneNumber());
        if (digits.isEmpty()) {
            return Uni.createFrom().failure(ProtocolException.badRequest("displayPhoneNumber must contain digits"));
        }
        return tenants.ensureExists(tenant)
                .chain(() -> numbers.findByMetaId(registration.phoneNumberId()))
                .chain(existing -> {
                    if (existing != null && !existing.tenantId.equals(tenant)) {
                        return Uni.createFrom().failure(new ProtocolException(ErrorCode.FORBIDDEN,
                                "phoneNumberId is registered to another tenant"));
                    }
                    PhoneNumber number = existing != null ? existing : newNumber(tenant, registration.phoneNumberId());
                    if (registration.wabaId() != null) {
                        number.wabaId = registration.wabaId(); // a restart without APP_WHATSAPP_WABA_ID keeps it
                    }
                    number.displayPhoneNumber = digits;
                    if (registration.verifiedName() != null) {
                        number.verifiedName = registration.verifiedName();
                    }
                    if (registration.accessToken() != null) {
                        number.accessToken = registration.accessToken();
                    }
                    number.updatedAt = Instant.now();
                    return numbers.persist(number);
                });
    }

    public Uni<List<PhoneNumber>> list(String tenant) {
        return numbers.listByTenant(tenant);
    }

    private static PhoneNumber newNumber(String tenant, String phoneNumberId) {
        PhoneNumber number = new PhoneNumber();
        number.id = UUID.randomUUID();
        number.tenantId = tenant;
        number.phoneNumberId = phoneNumberId;
        number.createdAt = Instant.now();
        return number;
    }
}
