package io.wagateway.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.wagateway.fanout.Audience;
import io.wagateway.fanout.DurableEvent;
import io.wagateway.security.ClientIdentity;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Resume on one connection, on a real Netty channel (embedded): replayed and held live events
 * reach the socket each exactly once, in seq order, and only those the connection is entitled to.
 */
class ClientSessionTest {

    private static final UUID MINE = UUID.randomUUID();
    private static final UUID OTHER = UUID.randomUUID();

    private EmbeddedChannel channel;
    private ClientSession session;

    @BeforeEach
    void open() {
        channel = new EmbeddedChannel();
        session = new ClientSession(null, channel, new ClientIdentity("t", "alice", "Alice", Set.of("agent"),
                Instant.now().plusSeconds(600)), new TokenBucket(20, 50), TimeUnit.SECONDS.toNanos(5));
        session.rooms().joinConversation(MINE);
    }

    private static DurableEvent event(long seq, UUID conversation) {
        return new DurableEvent("t", seq, "new_message", Audience.MESSAGE, conversation, null, null,
                "{\"n\":" + seq + "}");
    }

    private void live(DurableEvent event) {
        ByteBuf wire = WireFrame.text(event.frame());
        session.offerLive(event, wire);
        wire.release();
        session.flush();
    }

    /** The seqs of the frames written to the socket so far. */
    private List<Long> written() {
        List<Long> seqs = new ArrayList<>();
        ByteBuf frame;
        while ((frame = channel.readOutbound()) != null) {
            int header = (frame.getByte(1) & 0x7f) <= 125 ? 2 : 4;
            String text = frame.toString(header, frame.readableBytes() - header, StandardCharsets.UTF_8);
            frame.release();
            seqs.add(Long.parseLong(text.replaceAll(".*\"seq\":(\\d+).*", "$1")));
        }
        return seqs;
    }

    /**
     * The client resumes from 2. Event 5 is handed to the connection after the hold but before the
     * resume read how far live delivery got (5): it is held, the replay (2, 5] skips it, and the
     * release (floor: the client's 2, see ResumeService) must still send it.
     */
    @Test
    void liveEventsDuringAReplayAreHeldThenDeliveredOnceInOrder() throws Exception {
        session.holdLive();
        live(event(5, MINE)); // arrives before the replay has caught up: held
        live(event(6, OTHER)); // not this connection's
        assertEquals(List.of(), written());

        int replayed = session.replay(List.of(event(3, MINE), event(4, OTHER), event(5, MINE)))
                .toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertEquals(1, replayed, "5 arrived live first: the replay stops before it");
        session.releaseLive(null, 2);
        live(event(7, MINE));
        live(event(5, MINE)); // a late duplicate
        assertEquals(List.of(3L, 5L, 7L), written());
    }

    @Test
    void aSecondResumeRepeatsNothing() throws Exception {
        session.holdLive();
        session.replay(List.of(event(1, MINE), event(2, MINE))).toCompletableFuture().get(5, TimeUnit.SECONDS);
        session.releaseLive(null, 0);
        session.holdLive(); // the same client resumes again, still from 0
        int again = session.replay(List.of(event(1, MINE), event(2, MINE), event(3, MINE)))
                .toCompletableFuture().get(5, TimeUnit.SECONDS);
        session.releaseLive(null, 0);
        assertEquals(1, again);
        assertEquals(List.of(1L, 2L, 3L), written());
    }

    @Test
    void whatTheClientHadIsNotSentAgain() throws Exception {
        session.holdLive();
        live(event(4, MINE));
        live(event(6, MINE));
        session.replay(List.of()).toCompletableFuture().get(5, TimeUnit.SECONDS);
        session.releaseLive(null, 5); // the client had up to 5
        live(event(5, MINE));
        live(event(7, MINE));
        assertEquals(List.of(6L, 7L), written());
    }

    @Test
    void aConnectionOnlyGetsWhatItsRoomsEntitleItTo() {
        assertTrue(session.entitledTo(event(1, MINE)));
        assertFalse(session.entitledTo(event(1, OTHER)));
        live(event(1, OTHER));
        assertEquals(List.of(), written());
    }
}
