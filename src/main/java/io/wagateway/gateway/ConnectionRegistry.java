package io.wagateway.gateway;

import io.quarkus.websockets.next.WebSocketConnection;
import io.wagateway.config.AppConfig;
import io.wagateway.fanout.DurableEvent;
import io.wagateway.fanout.Ephemeral;
import io.wagateway.security.ClientIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** The open connections of this instance, indexed by tenant for fan-out. */
@ApplicationScoped
public class ConnectionRegistry {

    private static final Logger LOG = Logger.getLogger(ConnectionRegistry.class);

    private final ConcurrentMap<String, ClientSession> byConnection = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Set<ClientSession>> byTenant = new ConcurrentHashMap<>();
    private final AppConfig.Ws config;
    private volatile boolean draining;

    public ConnectionRegistry(AppConfig config) {
        this.config = config.ws();
    }

    ClientSession open(WebSocketConnection connection, ClientIdentity identity) {
        ClientSession session = new ClientSession(connection, identity,
                new TokenBucket(config.rateLimitPerSecond(), config.rateLimitBurst()));
        byConnection.put(connection.id(), session);
        byTenant.computeIfAbsent(identity.tenant(), t -> ConcurrentHashMap.newKeySet()).add(session);
        return session;
    }

    ClientSession close(String connectionId) {
        ClientSession session = byConnection.remove(connectionId);
        if (session != null) {
            byTenant.computeIfPresent(session.tenant(), (t, sessions) -> {
                sessions.remove(session);
                return sessions.isEmpty() ? null : sessions;
            });
        }
        return session;
    }

    ClientSession get(String connectionId) {
        return byConnection.get(connectionId);
    }

    Collection<ClientSession> all() {
        return byConnection.values();
    }

    public int size() {
        return byConnection.size();
    }

    /** Shutting down: no new connections. */
    void startDraining() {
        draining = true;
    }

    boolean draining() {
        return draining;
    }

    public boolean hasTenant(String tenant) {
        return byTenant.containsKey(tenant);
    }

    /** Sends a committed durable event to every local connection entitled to it (fan-out context). */
    public void deliver(DurableEvent event) {
        Set<ClientSession> sessions = byTenant.get(event.tenant());
        if (sessions == null) {
            return;
        }
        String frame = event.frame();
        for (ClientSession session : sessions) {
            session.deliverLive(event, frame);
        }
    }

    /** Sends an ephemeral event to the matching local connections. */
    public void deliverEphemeral(Ephemeral event) {
        Set<ClientSession> sessions = byTenant.get(event.tenant());
        if (sessions == null) {
            return;
        }
        for (ClientSession session : sessions) {
            if (event.excludeUser() != null && event.excludeUser().equals(session.identity().userId())) {
                continue;
            }
            if (event.conversationId() != null && !session.inConversation(event.conversationId())) {
                continue;
            }
            session.sendText(event.frame()).subscribe().with(ok -> {
            }, failure -> LOG.debugf("push to %s failed: %s", session.id(), failure));
        }
    }
}
