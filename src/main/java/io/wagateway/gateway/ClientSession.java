package io.wagateway.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;
import io.wagateway.fanout.DurableEvent;
import io.wagateway.fanout.Subscriber;
import io.wagateway.protocol.CloseCodes;
import io.wagateway.security.ClientIdentity;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * The server side of one WebSocket: who it is, which rooms it joined, its rate limit, liveness and
 * durable delivery. Rooms and delivery state are touched only on the connection's own event loop
 * (the thread Netty writes its socket from), so pushing a frame takes no lock and no hand-off.
 */
public final class ClientSession implements Subscriber {

    /** How long a closing slow consumer gets to take the close frame before its socket is dropped. */
    private static final long SLOW_CLOSE_GRACE_MS = 1000;

    private final WebSocketConnection connection;
    private final Channel channel;
    private final EventLoop loop;
    private final TokenBucket rateLimit;
    private final long maxStallNanos;
    private volatile ClientIdentity identity;
    private volatile long lastHeardNanos = System.nanoTime();
    private volatile long expiryTimer = -1;

    // ---- on the event loop only
    private Set<UUID> conversations; // created on first join: most connections join one room or none
    private Set<UUID> customers;
    private boolean general;
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
    /** Written since the last flush. */
    private boolean unflushed;
    /** System.nanoTime() of the first flush since which frames have always been left waiting, or 0. */
    private long backedUpSince;
    private boolean closing;

    ClientSession(WebSocketConnection connection, Channel channel, ClientIdentity identity, TokenBucket rateLimit,
                  long maxStallNanos) {
        this.maxStallNanos = maxStallNanos;
        this.connection = connection;
        this.channel = channel;
        this.loop = channel.eventLoop();
        this.identity = identity;
        this.rateLimit = rateLimit;
    }

    public ClientIdentity identity() {
        return identity;
    }

    @Override
    public String tenant() {
        return identity.tenant();
    }

    public String id() {
        return connection.id();
    }

    WebSocketConnection connection() {
        return connection;
    }

    EventLoop loop() {
        return loop;
    }

    @Override
    public void execute(Runnable task) {
        if (loop.inEventLoop()) {
            task.run();
        } else {
            loop.execute(task);
        }
    }

    void refresh(ClientIdentity fresh) {
        this.identity = fresh;
    }

    // ---- rooms (event loop)

    void joinConversation(UUID id) {
        if (conversations == null) {
            conversations = new HashSet<>(4);
        }
        conversations.add(id);
    }

    boolean leaveConversation(UUID id) {
        return conversations != null && conversations.remove(id);
    }

    void joinCustomer(UUID id) {
        if (customers == null) {
            customers = new HashSet<>(4);
        }
        customers.add(id);
    }

    boolean leaveCustomer(UUID id) {
        return customers != null && customers.remove(id);
    }

    void joinGeneral() {
        general = true;
    }

    boolean general() {
        return general;
    }

    Set<UUID> conversations() {
        return conversations == null ? Set.of() : conversations;
    }

    Set<UUID> customers() {
        return customers == null ? Set.of() : customers;
    }

    boolean inConversation(UUID conversationId) {
        return conversationId != null && conversations != null && conversations.contains(conversationId);
    }

    // ---- liveness and limits (any thread)

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

    // ---- durable delivery (event loop)

    /** Would this connection receive the event with its current rooms? Used live and on resume. */
    boolean entitledTo(DurableEvent event) {
        if (!event.tenant().equals(tenant())) {
            return false;
        }
        return switch (event.audience()) {
            case TENANT -> true;
            case USER -> identity.userId().equals(event.userId());
            case CONVERSATION_ROOM -> inConversation(event.conversationId());
            case MESSAGE -> inConversation(event.conversationId())
                    || (event.contactId() != null && customers != null && customers.contains(event.contactId()))
                    || general
                    || identity.userId().equals(event.userId());
        };
    }

    /**
     * A live durable event, in seq order. Written (not flushed) unless already sent or not for this
     * connection; held while a {@code resume} replays.
     *
     * @return whether it was written or held for this connection
     */
    boolean offerLive(DurableEvent event, ByteBuf wire) {
        if (event.seq() <= lastSentSeq || closing || !entitledTo(event)) {
            return false;
        }
        firstLiveSeq = Math.min(firstLiveSeq, event.seq());
        if (held != null) {
            held.add(event);
            return true;
        }
        lastSentSeq = event.seq();
        write(wire);
        return true;
    }

    /**
     * A run of live events {@code firstSeq..lastSeq} that this connection is entitled to in whole (the
     * general room's), as one buffer. Taken only when none of it was sent yet and no replay holds
     * live events back; otherwise the events go one by one through {@link #offerLive(DurableEvent, ByteBuf)}.
     *
     * @return whether it was written
     */
    boolean offerLive(long firstSeq, long lastSeq, ByteBuf frames) {
        if (firstSeq <= lastSentSeq || held != null || closing) {
            return false;
        }
        firstLiveSeq = Math.min(firstLiveSeq, firstSeq);
        lastSentSeq = lastSeq;
        write(frames);
        return true;
    }

    /** An ephemeral frame (typing, presence): written, not flushed. */
    void offerEphemeral(ByteBuf wire) {
        if (!closing) {
            write(wire);
        }
    }

    private void write(ByteBuf wire) {
        channel.write(wire.retainedDuplicate(), channel.voidPromise());
        unflushed = true;
    }

    /**
     * Flushes what was written since the last flush.
     *
     * @return false for a slow consumer: more than app.ws.max-queued-bytes wait to be sent (the channel
     *         turned unwritable), or frames were left waiting at every flush for app.ws.send-stall-timeout
     *         (the kernel's small send queue stayed full: the peer is not reading, or not fast enough)
     */
    boolean flush() {
        if (!unflushed) {
            return true;
        }
        unflushed = false;
        channel.flush();
        if (closing) {
            return true;
        }
        if (!channel.isWritable()) {
            return false;
        }
        if (channel.bytesBeforeUnwritable() >= channel.config().getWriteBufferHighWaterMark()) {
            backedUpSince = 0; // everything went to the kernel
            return true;
        }
        long now = System.nanoTime();
        if (backedUpSince == 0) {
            backedUpSince = now;
        }
        return now - backedUpSince < maxStallNanos;
    }

    /**
     * Closes a connection that does not read its frames (4008). Its buffer is dropped with the
     * socket: a peer that stopped reading would never take the close frame queued behind it.
     */
    void closeSlowConsumer() {
        if (closing) {
            return;
        }
        closing = true;
        held = null;
        connection.close(new CloseReason(CloseCodes.SLOW_CONSUMER, "slow consumer: frames were not read in time"))
                .subscribe().with(ok -> {
                }, failure -> dropSocket());
        loop.schedule(this::dropSocket, SLOW_CLOSE_GRACE_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * Closes the socket now. Not through the whole pipeline: Vert.x would wait up to its closing
     * timeout (10 s) for the peer to answer the close frame, which a peer that stopped reading never
     * sees. From the first handler's context the close goes straight to the transport.
     */
    private void dropSocket() {
        ChannelHandlerContext first = channel.pipeline().firstContext();
        if (first != null) {
            first.close();
        } else {
            channel.close();
        }
    }

    @Override
    public void holdLive() {
        if (held == null) {
            held = new ArrayList<>();
        }
    }

    @Override
    public CompletionStage<Integer> replay(List<DurableEvent> page) {
        CompletableFuture<Integer> written = new CompletableFuture<>();
        replay(page, 0, 0, written);
        return written;
    }

    /** Writes the page from {@code index}; pauses whenever Netty's buffer is full, until it drained. */
    private void replay(List<DurableEvent> page, int index, int sent, CompletableFuture<Integer> written) {
        ChannelFuture last = null;
        int count = sent;
        for (int i = index; i < page.size(); i++) {
            DurableEvent event = page.get(i);
            if (event.seq() >= firstLiveSeq || event.seq() <= replayedUpTo || closing || !entitledTo(event)) {
                continue;
            }
            replayedUpTo = event.seq();
            lastSentSeq = Math.max(lastSentSeq, event.seq());
            last = channel.write(WireFrame.text(event.frame()));
            count++;
            if (!channel.isWritable()) {
                channel.flush();
                int next = i + 1;
                int soFar = count;
                last.addListener(done -> execute(() -> replay(page, next, soFar, written)));
                return;
            }
        }
        channel.flush();
        int total = count;
        if (last == null) {
            written.complete(total);
        } else {
            last.addListener(done -> written.complete(total));
        }
    }

    @Override
    public void releaseLive(String answerFrame, long floor) {
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
                ByteBuf wire = WireFrame.text(event.frame());
                offerLive(event, wire);
                wire.release();
            }
            flush();
        }
    }

    /** Sends a pre-serialized answer; failures (a closing socket) are the close handler's business. */
    Uni<Void> sendText(String frame) {
        return connection.isOpen() ? connection.sendText(frame) : Uni.createFrom().voidItem();
    }
}
