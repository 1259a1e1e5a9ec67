package io.wagateway.forwarding;

import io.smallrye.mutiny.Uni;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.core.http.HttpClient;
import io.wagateway.config.AppConfig;
import io.wagateway.security.HmacSha256;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * POSTs one signed body to a forwarding target with Vert.x' non-blocking HTTP client: no thread
 * waits for a slow receiver, and nothing here runs on the fan-out or WebSocket path. Redirects
 * are not followed (a 3xx is a failure): a redirect could lead past the {@link TargetGuard}.
 */
@ApplicationScoped
public class ForwardingClient {

    static final String SIGNATURE_HEADER = "X-Gateway-Signature-256";

    private final HttpClient http;
    private final TargetGuard guard;
    private final Duration timeout;

    public ForwardingClient(Vertx vertx, TargetGuard guard, AppConfig config) {
        this.guard = guard;
        this.timeout = config.forwarding().requestTimeout();
        this.http = vertx.createHttpClient(new HttpClientOptions()
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
                .setKeepAlive(true)
                .setForceSni(true)
                .setMaxPoolSize(4));
    }

    @PreDestroy
    void close() {
        http.close().subscribe().with(done -> {
        }, failure -> {
        });
    }

    /** What one POST gave: a 2xx, or what went wrong, said as {@code lastError} says it. */
    public record Outcome(boolean delivered, String error) {
        static Outcome ok() {
            return new Outcome(true, null);
        }

        static Outcome failed(String error) {
            return new Outcome(false, error);
        }
    }

    /** POSTs {@code body} to {@code url} signed with {@code secret}; never fails, the outcome says how it went. */
    public Uni<Outcome> post(URI url, String secret, String seq, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return guard.resolve(url)
                .chain(address -> send(url, address, secret, seq, bytes))
                .ifNoItem().after(timeout).failWith(() -> new TimeoutException())
                .onFailure().recoverWithItem(ForwardingClient::describe);
    }

    private Uni<Outcome> send(URI url, InetAddress address, String secret, String seq, byte[] body) {
        boolean tls = "https".equalsIgnoreCase(url.getScheme());
        int port = url.getPort() > 0 ? url.getPort() : tls ? 443 : 80;
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        if (url.getRawQuery() != null) {
            path += "?" + url.getRawQuery();
        }
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost(url.getHost()).setPort(port)
                .setSsl(tls).setURI(path).setFollowRedirects(false).setTimeout(timeout.toMillis())
                .putHeader("Content-Type", "application/json")
                .putHeader("User-Agent", "wa-gateway-forwarding")
                .putHeader("X-Gateway-Seq", seq)
                .putHeader(SIGNATURE_HEADER, signature(secret, body));
        if (address != null) {
            // the address the guard checked; host (Host header, TLS name) stays the URL's
            options.setServer(SocketAddress.inetSocketAddress(port, address.getHostAddress()));
        }
        return http.request(options)
                .chain(request -> request.send(Buffer.buffer(body)))
                .chain(response -> response.end().replaceWith(response.statusCode()))
                .map(status -> status >= 200 && status < 300 ? Outcome.ok() : Outcome.failed("HTTP " + status));
    }

    /** {@code sha256=<hex HMAC-SHA256 of the raw body>}, as the receiver recomputes it. */
    static String signature(String secret, byte[] body) {
        return "sha256=" + HexFormat.of().formatHex(HmacSha256.sign(secret.getBytes(StandardCharsets.UTF_8), body));
    }

    private static Outcome describe(Throwable failure) {
        TargetGuard.Refused refused = TargetGuard.refusedBy(failure);
        if (refused != null) {
            return Outcome.failed("target refused: " + refused.getMessage());
        }
        if (failure instanceof TimeoutException) {
            return Outcome.failed("timed out");
        }
        if (failure instanceof ConnectTimeoutException) { // a ConnectException too
            return Outcome.failed("connect timed out");
        }
        if (failure instanceof ConnectException) {
            return Outcome.failed("connection refused");
        }
        if (failure instanceof SSLException) {
            return Outcome.failed("TLS failed: " + failure.getMessage());
        }
        String message = failure.getMessage();
        if (message != null && message.contains("timeout period")) { // Vert.x' request timeout
            return Outcome.failed("timed out");
        }
        return Outcome.failed(failure.getClass().getSimpleName() + (message == null ? "" : ": " + message));
    }
}
