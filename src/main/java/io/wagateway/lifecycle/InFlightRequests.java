package io.wagateway.lifecycle;

import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import io.wagateway.config.AppConfig;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP requests being answered when a shutdown starts, so that they can finish before the
 * server closes. This replaces {@code quarkus.shutdown.timeout}, whose filter counts an upgraded
 * WebSocket as a request that never ends: every shutdown after a WebSocket was open waited the whole
 * timeout and logged "Timed out waiting for graceful shutdown". WebSockets have their own ending
 * (1001, see the gateway's session timers); only plain requests (webhooks, the REST and admin APIs)
 * are counted here.
 *
 * <p>The wait runs at the start of the shutdown delay, after the WebSockets were told to go: readiness
 * is DOWN by then, and Quarkus' delay that follows ({@code quarkus.shutdown.delay}) still serves what
 * the load balancer sends before it notices. Requests that started before the shutdown get up to
 * {@code app.http.drain-timeout}; waiting for "no request at all" would never end under load.
 */
@ApplicationScoped
public class InFlightRequests {

    private static final Logger LOG = Logger.getLogger(InFlightRequests.class);

    /** Plain requests started before the shutdown and not yet answered. */
    private final AtomicInteger startedBefore = new AtomicInteger();
    private volatile boolean shuttingDown;
    private final Duration drainTimeout;

    public InFlightRequests(AppConfig config) {
        this.drainTimeout = config.http().drainTimeout();
    }

    void register(@Observes Filters filters) {
        filters.register(this::count, Integer.MAX_VALUE); // first: every request is counted, whatever answers it
    }

    private void count(RoutingContext context) {
        if (!shuttingDown && !isUpgrade(context)) {
            startedBefore.incrementAndGet();
            // called once, when the response ended or the connection closed before it did
            context.addEndHandler(done -> startedBefore.decrementAndGet());
        }
        context.next();
    }

    /** After the WebSockets were closed with 1001 (default-priority observers run first). */
    void drain(@Observes @Priority(Interceptor.Priority.APPLICATION + 1000) ShutdownDelayInitiatedEvent event) {
        shuttingDown = true;
        long deadline = System.nanoTime() + drainTimeout.toNanos();
        while (startedBefore.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (startedBefore.get() > 0) {
            LOG.warnf("%d HTTP requests started before the shutdown are still unanswered after "
                    + "app.http.drain-timeout (%s)", startedBefore.get(), drainTimeout);
        }
    }

    private static boolean isUpgrade(RoutingContext context) {
        String upgrade = context.request().getHeader(HttpHeaders.UPGRADE);
        return upgrade != null && upgrade.equalsIgnoreCase("websocket");
    }
}
