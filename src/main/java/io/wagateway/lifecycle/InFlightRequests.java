package io.wagateway.lifecycle;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import io.wagateway.config.AppConfig;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP requests being answered, so that a graceful shutdown lets them finish before the server
 * closes. This replaces {@code quarkus.shutdown.timeout}, whose filter counts an upgraded WebSocket
 * as a request that never ends: every shutdown after a WebSocket was open waited the whole timeout
 * and logged "Timed out waiting for graceful shutdown". WebSockets have their own ending (1001 during
 * the shutdown delay, see the gateway's session timers); only plain requests (webhooks, the REST and
 * admin APIs) are counted here.
 */
@ApplicationScoped
public class InFlightRequests {

    private static final Logger LOG = Logger.getLogger(InFlightRequests.class);

    private final AtomicInteger inFlight = new AtomicInteger();
    private final Duration drainTimeout;

    public InFlightRequests(AppConfig config) {
        this.drainTimeout = config.http().drainTimeout();
    }

    void register(@Observes Filters filters) {
        filters.register(this::count, Integer.MAX_VALUE); // first: every request is counted, whatever answers it
    }

    private void count(RoutingContext context) {
        if (!isUpgrade(context)) {
            inFlight.incrementAndGet();
            // called once, when the response ended or the connection closed before it did
            context.addEndHandler(done -> inFlight.decrementAndGet());
        }
        context.next();
    }

    /**
     * Runs after the shutdown delay (readiness DOWN, WebSockets closed with 1001) and before the HTTP
     * server closes its sockets: waits for the requests still being answered, up to the drain timeout.
     */
    void drain(@Observes @Priority(1) ShutdownEvent event) {
        long deadline = System.nanoTime() + drainTimeout.toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (inFlight.get() > 0) {
            LOG.warnf("%d HTTP requests still in flight after app.http.drain-timeout (%s): closing anyway",
                    inFlight.get(), drainTimeout);
        }
    }

    /** For tests and metrics: plain requests being answered now. */
    public int count() {
        return inFlight.get();
    }

    private static boolean isUpgrade(RoutingContext context) {
        String upgrade = context.request().getHeader(HttpHeaders.UPGRADE);
        return upgrade != null && upgrade.equalsIgnoreCase("websocket");
    }
}
