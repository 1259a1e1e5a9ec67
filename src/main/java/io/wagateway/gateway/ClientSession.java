package io.wagateway.gateway;

import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;
import io.wagateway.fanout.DurableEvent;
import io.wagateway.security.ClientIdentity;

import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/** The server side of one WebSocket: who it is, which rooms it joined, its rate limit and liveness. */
public final class ClientSession {

    private final WebSocketConnection connection;
    private final Set<String> rooms = ConcurrentHashMap.newKeySet();
    private final TokenBucket rateLimit;
    private volatile ClientIdentity identity;
    private volatile long lastHeardNanos = System.nanoTime();
    private volatile long expiryTimer = -1;

    ClientSession(WebSocketConnection connection, ClientIdentity identity, TokenBucket rateLimit) {
        this.connection = connection;
        this.identity = identity;
        this.rateLimit = rateLimit;
    }

    public ClientIdentity identity() {
        return identity;
    }

    public String tenant() {
        return identity.tenant();
    }

    public String id() {
        return connection.id();
    }

    WebSocketConnection connection() {
        return connection;
    }

    void refresh(ClientIdentity fresh) {
        this.identity = fresh;
    }

    boolean join(String room) {
        return rooms.add(room);
    }

    boolean leave(String room) {
        return rooms.remove(room);
    }

    boolean inRoom(String room) {
        return rooms.contains(room);
    }

    boolean tryAcquire() {
        return rateLimit.tryAcquire();
    }

    void heard() {
        lastHeardNanos = System.nanoTime();
    }

    long lastHeardNanos() {
        return lastHeardNanos;
    }

    long expiryTimer() {
        return expiryTimer;
    }

    void expiryTimer(long timerId) {
        this.expiryTimer = timerId;
    }

    /** Would this connection receive the event with its current rooms? Used live and on resume. */
    public boolean entitledTo(DurableEvent event) {
        if (!event.tenant().equals(tenant())) {
            return false;
        }
        return switch (event.audience()) {
            case TENANT -> true;
            case USER -> identity.userId().equals(event.userId());
            case CONVERSATION_ROOM -> inConversation(event.conversationId());
            case MESSAGE -> inConversation(event.conversationId())
                    || (event.contactId() != null && rooms.contains(Rooms.customer(event.contactId())))
                    || rooms.contains(Rooms.GENERAL)
                    || identity.userId().equals(event.userId());
        };
    }

    private boolean inConversation(UUID conversationId) {
        return conversationId != null && rooms.contains(Rooms.conversation(conversationId));
    }

    /** Sends a pre-serialized frame; failures (a closing socket) are the close handler's business. */
    Uni<Void> sendText(String frame) {
        return connection.isOpen() ? connection.sendText(frame) : Uni.createFrom().voidItem();
    }
}
