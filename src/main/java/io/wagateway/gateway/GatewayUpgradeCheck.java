package io.wagateway.gateway;

import io.netty.channel.Channel;
import io.quarkus.websockets.next.HttpUpgradeCheck;
import io.quarkus.websockets.next.UserData;
import io.smallrye.mutiny.Uni;
import io.vertx.core.net.impl.ConnectionBase;
import io.wagateway.agent.AgentService;
import io.wagateway.config.AppConfig;
import io.smallrye.jwt.auth.principal.ParseException;
import io.wagateway.security.ClientIdentity;
import io.wagateway.security.TokenVerifier;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Admits a WebSocket upgrade only with a verified JWT that names a tenant (401 otherwise), a role
 * the gateway serves (403 otherwise) and, when an allow-list is configured, an allowed Origin
 * (403 otherwise; requests without Origin are non-browser clients and pass), and no deactivated agent (403). The identity and the
 * connection's Netty channel (which the fan-out writes pre-encoded frames to) are left in the
 * connection's user data for {@link GatewaySocket}.
 */
@ApplicationScoped
public class GatewayUpgradeCheck implements HttpUpgradeCheck {

    static final UserData.TypedKey<ClientIdentity> IDENTITY = new UserData.TypedKey<>("identity");
    static final UserData.TypedKey<Channel> CHANNEL = new UserData.TypedKey<>("channel");
    private static final Map<String, List<String>> CHALLENGE = Map.of("WWW-Authenticate", List.of("Bearer"));

    private static final String BEARER = "Bearer ";

    private final Set<String> allowedOrigins;
    private final ConnectionRegistry registry;
    private final TokenVerifier tokens;
    private final AgentService agents;

    public GatewayUpgradeCheck(AppConfig config, ConnectionRegistry registry, TokenVerifier tokens,
                               AgentService agents) {
        this.registry = registry;
        this.tokens = tokens;
        this.agents = agents;
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
        String authorization = context.httpRequest().getHeader("Authorization");
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return CheckResult.rejectUpgrade(401, CHALLENGE);
        }
        ClientIdentity identity;
        try {
            identity = tokens.verify(authorization.substring(BEARER.length()).trim());
        } catch (ParseException e) {
            return CheckResult.rejectUpgrade(401, CHALLENGE);
        }
        if (!identity.hasAnyRole() || agents.isDeactivated(identity.tenant(), identity.userId())) {
            return CheckResult.rejectUpgrade(403); // a deactivated agent's token is refused (PROTOCOL.md 6.8)
        }
        if (!(context.httpRequest().connection() instanceof ConnectionBase http1)) {
            return CheckResult.rejectUpgrade(400); // WebSockets run over HTTP/1.1 connections only
        }
        context.userData().put(IDENTITY, identity);
        context.userData().put(CHANNEL, http1.channel());
        return CheckResult.permitUpgrade();
    }
}
