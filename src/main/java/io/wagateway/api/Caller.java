package io.wagateway.api;

import io.wagateway.agent.AgentService;
import io.wagateway.protocol.ErrorCode;
import io.wagateway.protocol.ProtocolException;
import io.wagateway.security.ClientIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Who calls the REST API: the identity of the request's verified JWT, as a WebSocket connection has
 * it ({@code @RolesAllowed} on the resources checked the signature, issuer, expiry and role).
 */
@ApplicationScoped
public class Caller {

    private final JsonWebToken jwt;
    private final AgentService agents;

    public Caller(JsonWebToken jwt, AgentService agents) {
        this.jwt = jwt;
        this.agents = agents;
    }

    /**
     * @throws ProtocolException {@code unauthorized} (401) for a token without a tenant, {@code forbidden}
     *                           (403) for a deactivated agent: as the upgrade refuses them
     */
    public ClientIdentity identity() {
        ClientIdentity identity = ClientIdentity.of(jwt);
        if (identity == null) {
            throw new ProtocolException(ErrorCode.UNAUTHORIZED, "the token has no tenant claim");
        }
        if (agents.isDeactivated(identity.tenant(), identity.userId())) {
            throw ProtocolException.forbidden("the agent is deactivated");
        }
        return identity;
    }
}
