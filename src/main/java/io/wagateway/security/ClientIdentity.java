package io.wagateway.security;

import io.quarkus.security.identity.SecurityIdentity;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.time.Instant;
import java.util.Set;
import jakarta.json.JsonString;

/** Who is on the other end of a connection or request, taken from a verified JWT. */
public record ClientIdentity(String tenant, String userId, String name, Set<String> roles, Instant expiresAt) {

    public static final String TENANT_CLAIM = "tenant";

    public boolean isSupervisor() {
        return roles.contains(Role.SUPERVISOR) || roles.contains(Role.ADMIN);
    }

    public boolean hasAnyRole() {
        return roles.contains(Role.AGENT) || isSupervisor();
    }

    /** @return null when the token carries no usable tenant claim */
    public static ClientIdentity of(JsonWebToken jwt) {
        Object tenantClaim = jwt.getClaim(TENANT_CLAIM);
        String tenant = tenantClaim == null ? null : stringClaim(tenantClaim);
        if (tenant == null || tenant.isBlank() || jwt.getSubject() == null || jwt.getSubject().isBlank()) {
            return null;
        }
        Object name = jwt.getClaim("name");
        return new ClientIdentity(tenant, jwt.getSubject(), name == null ? null : stringClaim(name),
                Set.copyOf(jwt.getGroups() == null ? Set.of() : jwt.getGroups()),
                Instant.ofEpochSecond(jwt.getExpirationTime()));
    }

    /** @return null for an anonymous identity or one whose principal is not a JWT */
    public static ClientIdentity of(SecurityIdentity identity) {
        if (identity == null || identity.isAnonymous() || !(identity.getPrincipal() instanceof JsonWebToken jwt)) {
            return null;
        }
        return of(jwt);
    }

    private static String stringClaim(Object claim) {
        // smallrye-jwt hands string claims back as JsonString; toString() would keep the quotes
        return claim instanceof JsonString s ? s.getString() : claim.toString();
    }
}
