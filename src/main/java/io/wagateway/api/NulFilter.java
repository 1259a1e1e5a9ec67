package io.wagateway.api;

import io.wagateway.protocol.ErrorCode;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.util.Optional;

/**
 * Refuses a NUL character in the path or query of an API request before it runs, as the WebSocket
 * dispatcher refuses it in a frame: PostgreSQL text cannot hold it, and a query would fail with a 500.
 */
public class NulFilter {

    /** Reads the raw request line's URI: building a {@code java.net.URI} per request cost 1% of the webhook path. */
    @ServerRequestFilter(preMatching = true)
    public Optional<Response> refuseNul(HttpServerRequest request) {
        String uri = request.uri();
        if (uri.startsWith("/api/") && uri.contains("%00")) {
            return Optional.of(Problem.of(ErrorCode.BAD_REQUEST, "strings must not contain NUL characters").response());
        }
        return Optional.empty();
    }
}
