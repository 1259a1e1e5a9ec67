package io.wagateway.gateway;

import io.quarkus.websockets.next.HttpUpgradeCheck;
import io.quarkus.websockets.next.UserData;
import io.smallrye.mutiny.Uni;
import io.wagateway.config.AppConfig;
import io.wagateway.security.ClientIdentity;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Admits a WebSocket upgrade only with a verified JWT that names a tenant (401 otherwise), a role
 * the gateway serves (403 otherwise) and, when an allow-list is configured, an allowed Origin
 * (403 otherwise; requests without Origin are non-browser clients and pass). The identity is left
 * in the connection's user data for {@link GatewaySocket}.
 */
@ApplicationScoped
public class GatewayUpgradeCheck implements HttpUpgradeCheck {

    static final UserData.TypedKey<ClientIdentity> IDENTITY = new UserData.TypedKey<>("identity");
    private static final Map<String, List<String>> CHALLENGE = Map.of("WWW-Authenticate", List.of("Bearer"));

    private final Set<String> allowedOrigins;
    private final ConnectionRegistry registry;

    public GatewayUpgradeCheck(AppConfig config, ConnectionRegistry registry) {
        this.registry = registry;
        this.allowedOrigins = config.ws().allowedOrigins().map(Set::copyOf).orElse(Set.of());
    }

    @Override
    public boolean appliesTo(String endpointId) {
        return GatewaySocket.class.getName().equals(endpointId);
    }

    @Override
    public Uni<CheckResult> perform(HttpUpgradeContext context) {
        if (registry.draining()) {
            return CheckResult.rejectUpgrade(503); // shutting down: the client retries on another replica
        }
        String origin = context.httpRequest().getHeader("Origin");
        if (origin != null && !allowedOrigins.isEmpty() && !allowedOrigins.contains(origin)) {
            return CheckResult.rejectUpgrade(403);
        }
        return context.securityIdentity().map(securityIdentity -> {
            ClientIdentity identity = ClientIdentity.of(securityIdentity);
            if (identity == null) {
                return CheckResult.rejectUpgradeSync(401, CHALLENGE);
            }
            if (!identity.hasAnyRole()) {
                return CheckResult.rejectUpgradeSync(403);
            }
            context.userData().put(IDENTITY, identity);
            return CheckResult.permitUpgradeSync();
        });
    }
}
