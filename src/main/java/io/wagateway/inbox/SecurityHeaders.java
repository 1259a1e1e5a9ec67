package io.wagateway.inbox;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.wagateway.config.AppConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.net.URI;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Security headers for what the gateway serves over HTTP, the inbox page above all: a
 * Content-Security-Policy that allows only the gateway's own scripts and styles (the page has no
 * inline script) and connections only to the gateway itself (its HTTP API and its WebSocket, ws and
 * wss of the same host; plus the host application's token URL when that is on another origin),
 * {@code nosniff}, no referrer, and {@code frame-ancestors} from {@code app.inbox.frame-ancestors}.
 * The page itself is {@code no-cache} (its assets are hashed and stay cacheable). Left alone: {@code /ws} (the upgrade),
 * {@code /q/} (the Dev UI needs inline scripts) and {@code /webhooks/} (only Meta's servers read those answers, and
 * it is the busiest path: six headers and a policy per webhook were measurable).
 */
@ApplicationScoped
public class SecurityHeaders {

    /** A Host header that can safely go into the policy (names, IPv4/IPv6 literals, a port). */
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.\\-\\[\\]:]{1,255}");

    private final String tokenOrigin;
    private final String frameAncestors;

    public SecurityHeaders(AppConfig config) {
        this.tokenOrigin = config.inbox().tokenUrl().map(SecurityHeaders::originOf).orElse("");
        this.frameAncestors = String.join(" ", config.inbox().frameAncestors().orElse(List.of()));
    }

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE + 100).handler(this::handle);
    }

    private void handle(RoutingContext ctx) {
        String path = ctx.normalizedPath();
        if (!path.equals("/ws") && !path.startsWith("/ws/") && !path.startsWith("/q/") && !path.startsWith("/webhooks/")) {
            String host = ctx.request().getHeader("Host");
            ctx.addHeadersEndHandler(v -> {
                var headers = ctx.response().headers();
                headers.set("Content-Security-Policy", policy(host));
                headers.set("X-Content-Type-Options", "nosniff");
                headers.set("Referrer-Policy", "no-referrer");
                headers.set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()");
                headers.set("Cross-Origin-Opener-Policy", "same-origin");
                String type = headers.get("Content-Type");
                if (type != null && type.startsWith("text/html")) {
                    // the page names its hashed assets: it must be asked for again, they need not
                    headers.set("Cache-Control", "no-cache");
                }
            });
        }
        ctx.next();
    }

    String policy(String host) {
        StringBuilder connect = new StringBuilder("'self'");
        if (host != null && HOST.matcher(host).matches()) {
            connect.append(" ws://").append(host).append(" wss://").append(host);
        }
        if (!tokenOrigin.isEmpty()) {
            connect.append(' ').append(tokenOrigin);
        }
        return "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self'; "
                + "connect-src " + connect + "; object-src 'none'; base-uri 'self'; form-action 'self'; "
                + "frame-ancestors 'self'" + (frameAncestors.isEmpty() ? "" : " " + frameAncestors);
    }

    /** {@code https://host.example:8443/token} -> {@code https://host.example:8443}; a relative path -> "" ('self' covers it). */
    static String originOf(String url) {
        try {
            URI uri = URI.create(url.trim());
            if (uri.getScheme() == null || uri.getHost() == null) {
                return "";
            }
            return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
        } catch (IllegalArgumentException e) {
            return "";
        }
    }
}
