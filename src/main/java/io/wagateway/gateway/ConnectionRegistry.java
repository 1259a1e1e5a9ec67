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
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** The open connections of this instance, indexed by tenant for fan-out. */
@ApplicationScoped
public class ConnectionRegistry {

    private static final Logger LOG = Logger.getLogger(ConnectionRegistry.class);

    private final ConcurrentMap<String, ClientSession> byConnection = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Set<ClientSession>> byTenant = new ConcurrentHashMap<>();
    // room indexes, so that an event reaches its rooms without scanning every connection of the tenant
    private final ConcurrentMap<UUID, Set<ClientSession>> byConversation = new ConcurrentHashMap<>();
    private final ConcurrentMap<UUID, Set<ClientSession>> byCustomer = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Set<ClientSession>> generalByTenant = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Set<ClientSession>> byUser = new ConcurrentHashMap<>();
    private final AppConfig.Ws config;
    private volatile boolean draining;

    public ConnectionRegistry(AppConfig config) {
        this.config = config.ws();
    }

    ClientSession open(WebSocketConnection connection, ClientIdentity identity) {
        ClientSession session = new ClientSession(connection, identity,
                new TokenBucket(config.rateLimitPerSecond(), config.rateLimitBurst()));
        byConnection.put(connection.id(), session);
        add(byTenant, identity.tenant(), session);
        add(byUser, userKey(identity.tenant(), identity.userId()), session);
        return session;
    }

    ClientSession close(String connectionId) {
        ClientSession session = byConnection.remove(connectionId);
        if (session != null) {
            remove(byTenant, session.tenant(), session);
            remove(byUser, userKey(session.tenant(), session.identity().userId()), session);
            remove(generalByTenant, session.tenant(), session);
            session.conversations().forEach(id -> remove(byConversation, id, session));
            session.customers().forEach(id -> remove(byCustomer, id, session));
        }
        return session;
    }

    void joinConversation(ClientSession session, UUID id) {
        session.joinConversation(id);
        add(byConversation, id, session);
    }

    void leaveConversation(ClientSession session, UUID id) {
        session.leaveConversation(id);
        remove(byConversation, id, session);
    }

    void joinCustomer(ClientSession session, UUID id) {
        session.joinCustomer(id);
        add(byCustomer, id, session);
    }

    void leaveCustomer(ClientSession session, UUID id) {
        session.leaveCustomer(id);
        remove(byCustomer, id, session);
    }

    void joinGeneral(ClientSession session) {
        session.joinGeneral();
        add(generalByTenant, session.tenant(), session);
    }

    private static <K> void add(ConcurrentMap<K, Set<ClientSession>> index, K key, ClientSession session) {
        index.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(session);
    }

    private static <K> void remove(ConcurrentMap<K, Set<ClientSession>> index, K key, ClientSession session) {
        index.computeIfPresent(key, (k, sessions) -> {
            sessions.remove(session);
            return sessions.isEmpty() ? null : sessions;
        });
    }

    private static String userKey(String tenant, String userId) {
        return tenant + '\u0000' + userId;
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

    /**
     * Sends a committed durable event to every local connection entitled to it (fan-out context).
     * Only the connections of the event's rooms are looked at; one reached through two rooms gets
     * the event once (its last-sent seq drops the repeat).
     *
     * @return to how many connections it went
     */
    public int deliver(DurableEvent event) {
        String frame = event.frame();
        return switch (event.audience()) {
            case TENANT -> deliver(byTenant.get(event.tenant()), event, frame);
            case USER -> deliver(byUser.get(userKey(event.tenant(), event.userId())), event, frame);
            case CONVERSATION_ROOM -> deliver(byConversation.get(event.conversationId()), event, frame);
            case MESSAGE -> {
                int sent = deliver(event.conversationId() == null ? null : byConversation.get(event.conversationId()),
                        event, frame);
                sent += deliver(event.contactId() == null ? null : byCustomer.get(event.contactId()), event, frame);
                sent += deliver(generalByTenant.get(event.tenant()), event, frame);
                if (event.userId() != null) {
                    sent += deliver(byUser.get(userKey(event.tenant(), event.userId())), event, frame);
                }
                yield sent;
            }
        };
    }

    private static int deliver(Set<ClientSession> sessions, DurableEvent event, String frame) {
        int sent = 0;
        if (sessions != null) {
            for (ClientSession session : sessions) {
                if (session.deliverLive(event, frame)) {
                    sent++;
                }
            }
        }
        return sent;
    }

    /**
     * Sends an ephemeral event to the matching local connections.
     *
     * @return to how many connections it went
     */
    public int deliverEphemeral(Ephemeral event) {
        Set<ClientSession> sessions = event.conversationId() != null ? byConversation.get(event.conversationId())
                : byTenant.get(event.tenant());
        if (sessions == null) {
            return 0;
        }
        int sent = 0;
        for (ClientSession session : sessions) {
            if (event.excludeUser() != null && event.excludeUser().equals(session.identity().userId())) {
                continue;
            }
            if (event.conversationId() != null && !session.inConversation(event.conversationId())) {
                continue;
            }
            session.sendText(event.frame()).subscribe().with(ok -> {
            }, failure -> LOG.debugf("push to %s failed: %s", session.id(), failure));
            sent++;
        }
        return sent;
    }
}
