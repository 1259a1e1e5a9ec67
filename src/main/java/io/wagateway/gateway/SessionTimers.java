package io.wagateway.gateway;

import io.quarkus.scheduler.Scheduled;
import io.quarkus.websockets.next.CloseReason;
import io.vertx.core.Vertx;
import io.wagateway.config.AppConfig;
import io.wagateway.protocol.CloseCodes;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Closes connections whose JWT expired (4001: smallrye-jwt does not do it for WebSockets) and
 * connections that stopped answering the server's pings, and closes everything with 1001 at shutdown.
 */
@ApplicationScoped
public class SessionTimers {

    private static final Logger LOG = Logger.getLogger(SessionTimers.class);

    private final Vertx vertx;
    private final ConnectionRegistry registry;
    private final long idleTimeoutNanos;

    public SessionTimers(Vertx vertx, ConnectionRegistry registry, AppConfig config) {
        this.vertx = vertx;
        this.registry = registry;
        this.idleTimeoutNanos = config.ws().idleTimeout().toNanos();
    }

    /** (Re)arms the close at the session's token expiry. */
    void scheduleExpiry(ClientSession session) {
        cancel(session);
        long delay = Math.max(1, session.identity().expiresAt().toEpochMilli() - Instant.now().toEpochMilli());
        session.expiryTimer(vertx.setTimer(delay, id -> {
            if (session.identity().expiresAt().isAfter(Instant.now())) {
                return; // refreshed meanwhile; the refresh armed its own timer
            }
            close(session, CloseCodes.TOKEN_EXPIRED, "token expired");
        }));
    }

    void cancel(ClientSession session) {
        if (session.expiryTimer() >= 0) {
            vertx.cancelTimer(session.expiryTimer());
        }
    }

    @Scheduled(every = "${app.ws.idle-check-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void closeSilentConnections() {
        long now = System.nanoTime();
        for (ClientSession session : registry.all()) {
            if (now - session.lastHeardNanos() > idleTimeoutNanos) {
                close(session, CloseCodes.POLICY, "no pong");
            }
        }
    }

    /**
     * First step of a graceful shutdown (readiness is already DOWN): refuse new upgrades and tell
     * clients to reconnect elsewhere (1001). This runs in Quarkus' shutdown delay because by the
     * time ShutdownEvent observers run the HTTP server has closed the sockets itself, with 1000.
     */
    void goingAway(@Observes ShutdownDelayInitiatedEvent event) {
        registry.startDraining();
        List<Uni<Void>> closing = new ArrayList<>();
        for (ClientSession session : registry.all()) {
            cancel(session);
            closing.add(session.connection().close(new CloseReason(CloseCodes.GOING_AWAY, "server shutting down"))
                    .onFailure().recoverWithNull());
        }
        if (!closing.isEmpty()) {
            try {
                Uni.join().all(closing).andFailFast().await().atMost(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.warnf("not every WebSocket closed within 5 s: %s", e.getMessage());
            }
        }
    }

    private static void close(ClientSession session, int code, String reason) {
        session.connection().close(new CloseReason(code, reason)).subscribe().with(ok -> {
        }, failure -> LOG.debugf("close of %s failed: %s", session.id(), failure));
    }
}
