package io.wagateway.gateway;

import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;
import io.wagateway.fanout.DurableEvent;
import io.wagateway.security.ClientIdentity;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/** The server side of one WebSocket: who it is, which rooms it joined, its rate limit and liveness. */
public final class ClientSession {

    private final WebSocketConnection connection;
    // rooms as ids: the fan-out checks them for every connection and event, so no strings are built
    private final Set<UUID> conversations = ConcurrentHashMap.newKeySet();
    private final Set<UUID> customers = ConcurrentHashMap.newKeySet();
    private volatile boolean general;
    private final TokenBucket rateLimit;
    private volatile ClientIdentity identity;
    private volatile long lastHeardNanos = System.nanoTime();
    private volatile long expiryTimer = -1;
    // durable delivery: guarded by this
    private long lastSentSeq;
    /**
     * The seq of the first live event this connection got (or had held). Live delivery runs in seq
     * order, so every later event it is entitled to reaches it live; a replay covers only what came
     * before. (Not lastSentSeq: live events can reach a reconnected client before its resume does.)
     */
    private long firstLiveSeq = Long.MAX_VALUE;
    /** The highest seq a replay sent on this connection: a second resume does not repeat it. */
    private long replayedUpTo;
    private List<DurableEvent> held;

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

    void joinConversation(UUID id) {
        conversations.add(id);
    }

    void leaveConversation(UUID id) {
        conversations.remove(id);
    }

    void joinCustomer(UUID id) {
        customers.add(id);
    }

    void leaveCustomer(UUID id) {
        customers.remove(id);
    }

    void joinGeneral() {
        general = true;
    }

    Set<UUID> conversations() {
        return conversations;
    }

    Set<UUID> customers() {
        return customers;
    }

    boolean inConversation(UUID conversationId) {
        return conversationId != null && conversations.contains(conversationId);
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
                    || (event.contactId() != null && customers.contains(event.contactId()))
                    || general
                    || identity.userId().equals(event.userId());
        };
    }

    /**
     * A live durable event (on the fan-out context, in seq order). Sent unless already sent or
     * not for this connection; held while a {@code resume} replays.
     *
     * @return whether it was sent or held for this connection
     */
    synchronized boolean deliverLive(DurableEvent event, String frame) {
        if (event.seq() <= lastSentSeq || !entitledTo(event)) {
            return false;
        }
        firstLiveSeq = Math.min(firstLiveSeq, event.seq());
        if (held != null) {
            held.add(event);
            return true;
        }
        lastSentSeq = event.seq();
        sendText(frame).subscribe().with(ok -> {
        }, failure -> {
        });
        return true;
    }

    /** Starts holding live events back: a replay is about to run. */
    public synchronized void holdLive() {
        if (held == null) {
            held = new ArrayList<>();
        }
    }

    /**
     * A replayed event: sent (and awaited) if this connection is entitled to it and has not had it,
     * neither live nor from an earlier replay.
     */
    public Uni<Boolean> replay(DurableEvent event) {
        synchronized (this) {
            if (event.seq() >= firstLiveSeq || event.seq() <= replayedUpTo || !entitledTo(event)) {
                return Uni.createFrom().item(false);
            }
            replayedUpTo = event.seq();
            lastSentSeq = Math.max(lastSentSeq, event.seq());
        }
        return sendText(event.frame()).replaceWith(true);
    }

    /**
     * Ends a replay (on the fan-out context): sends the answer, then the live events held
     * meanwhile, and lets live events through again.
     */
    public synchronized void releaseLive(String answerFrame, long floor) {
        lastSentSeq = Math.max(lastSentSeq, floor);
        if (answerFrame != null) {
            sendText(answerFrame).subscribe().with(ok -> {
            }, failure -> {
            });
        }
        List<DurableEvent> pending = held;
        held = null;
        if (pending != null) {
            for (DurableEvent event : pending) {
                deliverLive(event, event.frame());
            }
        }
    }

    /** Sends a pre-serialized frame; failures (a closing socket) are the close handler's business. */
    Uni<Void> sendText(String frame) {
        return connection.isOpen() ? connection.sendText(frame) : Uni.createFrom().voidItem();
    }
}
