package io.wagateway.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.wagateway.fanout.Audience;
import io.wagateway.fanout.DurableEvent;
import io.wagateway.security.ClientIdentity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Batches handed to a busy loop are written in one task with one flush per connection (one system
 * call instead of one per batch), in seq order, each once; a batch handed to an idle loop goes out
 * at once.
 */
class LoopShardTest {

    private final DefaultEventLoop loop = new DefaultEventLoop();
    private final AtomicInteger flushes = new AtomicInteger();
    private final AtomicInteger releases = new AtomicInteger();
    private EmbeddedChannel channel;
    private LoopShard shard;

    @BeforeEach
    void open() throws Exception {
        channel = new EmbeddedChannel(new ChannelOutboundHandlerAdapter() {
            @Override
            public void flush(ChannelHandlerContext ctx) {
                flushes.incrementAndGet();
                ctx.flush();
            }
        });
        ClientSession session = new ClientSession(null, channel, new ClientIdentity("t", "alice", "Alice",
                Set.of("agent"), Instant.now().plusSeconds(600)), new TokenBucket(20, 50), TimeUnit.SECONDS.toNanos(5));
        shard = new LoopShard(loop, new LoopShard.Outcomes() {
            @Override
            public void delivered(String event, int connections) {
            }

            @Override
            public void slowConsumer(ClientSession slow) {
            }
        });
        onLoop(() -> {
            shard.add(session);
            shard.joinGeneral(session);
        });
    }

    @AfterEach
    void close() {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    @Test
    void batchesHandedToABusyLoopShareOneFlush() throws Exception {
        CountDownLatch busy = new CountDownLatch(1);
        loop.execute(() -> await(busy));
        shard.handOver(batch(1, 2), releases::incrementAndGet);
        shard.handOver(batch(3), releases::incrementAndGet);
        shard.handOver(batch(4, 5), releases::incrementAndGet);
        busy.countDown();
        onLoop(() -> { });

        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), written());
        assertEquals(1, flushes.get(), "one flush for the three batches");
        assertEquals(3, releases.get(), "every batch reported written");
    }

    @Test
    void aBatchHandedToAnIdleLoopGoesOutAtOnce() throws Exception {
        shard.handOver(batch(1), releases::incrementAndGet);
        onLoop(() -> { });
        assertEquals(List.of(1L), written());
        shard.handOver(batch(2), releases::incrementAndGet);
        onLoop(() -> { });
        assertEquals(List.of(2L), written());
        assertEquals(2, flushes.get());
    }

    /** General-room events, each encoded once, and all of them in one buffer as the registry builds them. */
    private static LoopShard.Batch batch(long... seqs) {
        List<LoopShard.Outgoing> events = new ArrayList<>();
        ByteBuf whole = Unpooled.buffer();
        for (long seq : seqs) {
            DurableEvent event = new DurableEvent("t", seq, "new_message", Audience.MESSAGE, null, null, null,
                    "{\"n\":" + seq + "}");
            ByteBuf wire = WireFrame.text(event.frame());
            whole.writeBytes(wire, wire.readerIndex(), wire.readableBytes());
            events.add(new LoopShard.Outgoing(event, wire));
        }
        return new LoopShard.Batch("t", events, whole);
    }

    /** The seqs of the frames that reached the socket so far. */
    private List<Long> written() {
        List<Long> seqs = new ArrayList<>();
        ByteBuf buffer;
        while ((buffer = channel.readOutbound()) != null) {
            while (buffer.isReadable()) {
                int length = buffer.getByte(buffer.readerIndex() + 1) & 0x7f;
                assertTrue(length <= 125, "small frames only in this test");
                String text = buffer.toString(buffer.readerIndex() + 2, length, StandardCharsets.UTF_8);
                buffer.skipBytes(2 + length);
                seqs.add(Long.parseLong(text.replaceAll(".*\"seq\":(\\d+).*", "$1")));
            }
            buffer.release();
        }
        return seqs;
    }

    private void onLoop(Runnable task) throws Exception {
        loop.submit(task).get(5, TimeUnit.SECONDS);
    }

    private static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(5, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
