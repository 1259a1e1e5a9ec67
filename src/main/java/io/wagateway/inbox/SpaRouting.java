package io.wagateway.inbox;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.List;

/**
 * The inbox's own paths (a link to {@code /conversations/...}, a reload there) answer the page, as
 * a single-page app needs. Quinoa's SPA routing does it only for requests that JAX-RS passes on
 * unanswered, which stopped once the REST API's error handling (problem+json for every failure,
 * {@code api.ProblemMappers}) came in: unknown paths answered 404 again. So the reroute happens here,
 * before JAX-RS: a GET of a path outside the gateway's own prefixes whose last segment has no file
 * extension (assets have one) is served as {@code /}. Unknown paths under the prefixes still answer 404.
 */
@ApplicationScoped
public class SpaRouting {

    /** The gateway's own paths: never the page. */
    static final List<String> GATEWAY_PREFIXES = List.of("/api", "/ws", "/webhooks", "/q", "/client", "/asyncapi.yaml");

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE + 200).handler(this::handle);
    }

    private void handle(RoutingContext ctx) {
        if (isPagePath(ctx.request().method(), ctx.normalizedPath())) {
            ctx.reroute("/");
        } else {
            ctx.next();
        }
    }

    static boolean isPagePath(HttpMethod method, String path) {
        if ((method != HttpMethod.GET && method != HttpMethod.HEAD) || path.equals("/")) {
            return false;
        }
        for (String prefix : GATEWAY_PREFIXES) {
            if (path.equals(prefix) || path.startsWith(prefix + "/")) {
                return false;
            }
        }
        String last = path.substring(path.lastIndexOf('/') + 1);
        return !last.contains(".");
    }
}
