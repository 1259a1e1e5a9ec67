package io.wagateway.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.quarkus.runtime.Startup;
import io.quarkus.websockets.next.WebSocketConnection;
import io.wagateway.config.AppConfig;
import io.wagateway.fanout.Audience;
import io.wagateway.fanout.DurableEvent;
import io.wagateway.fanout.Ephemeral;
import io.wagateway.fanout.Subscribers;
import io.wagateway.metrics.GatewayMetrics;
import io.wagateway.security.ClientIdentity;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The open connections of this instance. Each lives in the {@link LoopShard} of its event loop;
 * a batch of committed events is encoded once and handed to every shard in one task, so pushing an
 * event to n connections costs one encoding, one task per event loop and one flush per connection.
 */
@ApplicationScoped
@Startup // created at start, not at the first connection: its connections gauge must be there from the first scrape
public class ConnectionRegistry implements Subscribers, LoopShard.Outcomes {

    /** Bytes; Linux doubles it. Plenty for a chat stream: 128 KB in flight is 1.3 MB/s at 100 ms round trips. */
    private static final int KERNEL_SEND_BUFFER = 64 * 1024;

    private final ConcurrentMap<String, ClientSession> byConnection = new ConcurrentHashMap<>();
    private final ConcurrentMap<EventLoop, LoopShard> shards = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, AtomicInteger> connectionsByTenant = new ConcurrentHashMap<>();
    private final AppConfig.Ws config;
    private final WriteBufferWaterMark queueLimit;
    private final GatewayMetrics metrics;
    private volatile boolean draining;

    public ConnectionRegistry(AppConfig config, GatewayMetrics metrics) {
        this.config = config.ws();
        this.metrics = metrics;
        int max = config.ws().maxQueuedBytes();
        this.queueLimit = new WriteBufferWaterMark(max / 2, max);
        metrics.gauge("connections", "Open WebSocket connections on this instance", this::size);
    }

    ClientSession open(WebSocketConnection connection, Channel channel, ClientIdentity identity) {
        // the channel turns unwritable past max-queued-bytes of unsent frames: ClientSession.flush()
        channel.config().setWriteBufferWaterMark(queueLimit);
        // and the kernel's own send queue stays small, or a peer that stopped reading would first absorb
        // megabytes there (Linux grows it to tcp_wmem's maximum, 4 MB) before the limit above is reached
        channel.config().setOption(ChannelOption.SO_SNDBUF, KERNEL_SEND_BUFFER);
        ClientSession session = new ClientSession(connection, channel, identity,
                new TokenBucket(config.rateLimitPerSecond(), config.rateLimitBurst()), config.sendStallTimeout().toNanos());
        byConnection.put(connection.id(), session);
        connectionsByTenant.computeIfAbsent(identity.tenant(), t -> new AtomicInteger()).incrementAndGet();
        onShard(session, shard -> shard.add(session));
        return session;
    }

    ClientSession close(String connectionId) {
        ClientSession session = byConnection.remove(connectionId);
        if (session != null) {
            connectionsByTenant.computeIfPresent(session.tenant(),
                    (tenant, count) -> count.decrementAndGet() == 0 ? null : count);
            onShard(session, shard -> shard.remove(session));
        }
        return session;
    }

    void joinConversation(ClientSession session, UUID id) {
        onShard(session, shard -> shard.joinConversation(session, id));
    }

    void leaveConversation(ClientSession session, UUID id) {
        onShard(session, shard -> shard.leaveConversation(session, id));
    }

    void joinCustomer(ClientSession session, UUID id) {
        onShard(session, shard -> shard.joinCustomer(session, id));
    }

    void leaveCustomer(ClientSession session, UUID id) {
        onShard(session, shard -> shard.leaveCustomer(session, id));
    }

    void joinGeneral(ClientSession session) {
        onShard(session, shard -> shard.joinGeneral(session));
    }

    /** Membership changes run on the session's own loop, like every delivery to it. */
    private void onShard(ClientSession session, Consumer<LoopShard> change) {
        LoopShard shard = shards.computeIfAbsent(session.loop(), loop -> new LoopShard(loop, this));
        shard.execute(() -> change.accept(shard));
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

    @Override
    public boolean hasTenant(String tenant) {
        return connectionsByTenant.containsKey(tenant);
    }

    @Override
    public void deliver(List<DurableEvent> events) {
        List<LoopShard.Outgoing> encoded = new ArrayList<>(events.size());
        List<ByteBuf> buffers = new ArrayList<>(events.size() + 1);
        boolean allForGeneral = true;
        int bytes = 0;
        for (DurableEvent event : events) {
            ByteBuf wire = WireFrame.text(event.frame());
            encoded.add(new LoopShard.Outgoing(event, wire));
            buffers.add(wire);
            bytes += wire.readableBytes();
            allForGeneral &= event.audience() == Audience.MESSAGE || event.audience() == Audience.TENANT;
        }
        ByteBuf whole = null;
        if (allForGeneral && encoded.size() > 1) {
            whole = ByteBufAllocator.DEFAULT.directBuffer(bytes);
            for (ByteBuf wire : buffers) {
                whole.writeBytes(wire, wire.readerIndex(), wire.readableBytes());
            }
            buffers.add(whole);
        } else if (allForGeneral) {
            whole = encoded.get(0).wire();
        }
        LoopShard.Batch batch = new LoopShard.Batch(events.get(0).tenant(), encoded, whole);
        toEveryShard(buffers, (shard, done) -> shard.handOver(batch, done));
    }

    @Override
    public void deliver(Ephemeral event) {
        ByteBuf wire = WireFrame.text(event.frame());
        toEveryShard(List.of(wire), (shard, done) -> shard.execute(() -> {
            try {
                metrics.frameOut(event.frame(), shard.deliver(event, wire));
            } finally {
                done.run();
            }
        }));
    }

    /**
     * Hands the encoded buffers to every shard; they are released once the caller and every shard
     * have called their {@code done}.
     */
    private void toEveryShard(List<ByteBuf> buffers, BiConsumer<LoopShard, Runnable> handOver) {
        List<LoopShard> targets = List.copyOf(shards.values());
        SharedBuffers shared = new SharedBuffers(targets.size(), buffers);
        for (LoopShard shard : targets) {
            handOver.accept(shard, shared::release);
        }
        shared.release();
    }

    @Override
    public void delivered(String event, int connections) {
        metrics.eventOut(event, connections);
    }

    @Override
    public void slowConsumer(ClientSession session) {
        metrics.slowConsumer();
        session.closeSlowConsumer();
    }

    /** The encoded frames of one batch, released when the dispatcher and every shard are done with them. */
    private static final class SharedBuffers {
        private final AtomicInteger users;
        private final List<ByteBuf> buffers;

        SharedBuffers(int shards, List<ByteBuf> buffers) {
            this.users = new AtomicInteger(shards + 1);
            this.buffers = buffers;
        }

        void release() {
            if (users.decrementAndGet() == 0) {
                buffers.forEach(ByteBuf::release);
            }
        }
    }
}
