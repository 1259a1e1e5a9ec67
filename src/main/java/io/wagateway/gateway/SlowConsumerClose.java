package io.wagateway.gateway;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketConnection;
import io.wagateway.protocol.CloseCodes;

import java.util.concurrent.TimeUnit;

/**
 * Closes a connection that does not read its frames (4008). Its buffer is dropped with the
 * socket: a peer that stopped reading would never take the close frame queued behind it.
 */
final class SlowConsumerClose {

    /** How long a closing slow consumer gets to take the close frame before its socket is dropped. */
    private static final long GRACE_MS = 1000;

    private SlowConsumerClose() {
    }

    static void close(WebSocketConnection connection, Channel channel) {
        connection.close(new CloseReason(CloseCodes.SLOW_CONSUMER, "slow consumer: frames were not read in time"))
                .subscribe().with(ok -> {
                }, failure -> dropSocket(channel));
        channel.eventLoop().schedule(() -> dropSocket(channel), GRACE_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * Closes the socket now. Not through the whole pipeline: Vert.x would wait up to its closing
     * timeout (10 s) for the peer to answer the close frame, which a peer that stopped reading never
     * sees. From the first handler's context the close goes straight to the transport.
     */
    private static void dropSocket(Channel channel) {
        ChannelHandlerContext first = channel.pipeline().firstContext();
        if (first != null) {
            first.close();
        } else {
            channel.close();
        }
    }
}
