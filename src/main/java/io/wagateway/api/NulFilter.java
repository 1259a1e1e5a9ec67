package io.wagateway.api;

import io.wagateway.protocol.ErrorCode;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.util.Optional;

/**
 * Refuses a NUL character in the path or query of an API request before it runs, as the WebSocket
 * dispatcher refuses it in a frame: PostgreSQL text cannot hold it, and a query would fail with a 500.
 */
public class NulFilter {

    @ServerRequestFilter(preMatching = true)
    public Optional<Response> refuseNul(ContainerRequestContext request) {
        String uri = request.getUriInfo().getRequestUri().getRawPath() + "?"
                + request.getUriInfo().getRequestUri().getRawQuery();
        if (uri.startsWith("/api/") && (uri.contains("%00"))) {
            return Optional.of(Problem.of(ErrorCode.BAD_REQUEST, "strings must not contain NUL characters").response());
        }
        return Optional.empty();
    }
}
