package io.wagateway.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundInvoker;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;
import io.wagateway.fanout.DurableEvent;
import io.wagateway.fanout.Subscriber;
import io.wagateway.security.ClientIdentity;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The server side of one WebSocket: who it is, which rooms it joined, its rate limit, liveness and
 * durable delivery. Rooms and delivery state are touched only on the connection's own event loop
 * (the thread Netty writes its socket from), so pushing a frame takes no lock and no hand-off.
 */
public final class ClientSession implements Subscriber {

    private final WebSocketConnection connection;
    private final Channel channel;
    /**
     * Where pre-encoded frames enter the pipeline: below the WebSocket encoder, which would only pass
     * them on. TLS still sees them; the idle-state handler above, which wraps every write's promise with
     * a listener, does not (pings and pongs still pass it). The channel itself in tests without encoder.
     */
    private final ChannelOutboundInvoker frames;
    private final EventLoop loop;
    private final TokenBucket rateLimit;
    private final long maxStallNanos;
    private volatile ClientIdentity identity;
    private volatile long lastHeardNanos = System.nanoTime();
    private volatile long expiryTimer = -1;

    // ---- on the event loop only
    private final SessionRooms rooms = new SessionRooms();
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
        ChannelHandlerContext encoder = channel.pipeline().context(WebSocketFrameEncoder.class);
        this.frames = encoder != null ? encoder : channel;
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

    /** The joined rooms: on the event loop only. */
    SessionRooms rooms() {
        return rooms;
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
        ClientIdentity me = identity;
        return rooms.entitle(event, me.tenant(), me.userId());
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
        frames.write(wire.retainedDuplicate(), channel.voidPromise());
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
        frames.flush();
        if (closing || !channel.isActive()) {
            return true; // a closed socket is not a slow consumer: its close handler removes the session
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

    /** A connection that does not read its frames: closed with 4008, see {@link SlowConsumerClose}. */
    void closeSlowConsumer() {
        if (closing) {
            return;
        }
        closing = true;
        held = null;
        SlowConsumerClose.close(connection, channel);
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
            last = frames.write(WireFrame.text(event.frame()));
            count++;
            if (!channel.isWritable()) {
                frames.flush();
                int next = i + 1;
                int soFar = count;
                last.addListener(done -> execute(() -> replay(page, next, soFar, written)));
                return;
            }
        }
        frames.flush();
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
