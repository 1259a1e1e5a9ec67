package io.wagateway.gateway;

import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnError;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnPongMessage;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.wagateway.agent.AgentService;
import io.wagateway.fanout.FanoutService;
import io.wagateway.presence.PresenceService;
import io.wagateway.protocol.CloseCodes;
import io.wagateway.security.ClientIdentity;
import org.jboss.logging.Logger;
import java.nio.charset.StandardCharsets;

/**
 * {@code /ws}: the real-time API. Thin on purpose: it registers sessions and hands frames to
 * {@link RequestDispatcher}. Who may upgrade is decided by {@link GatewayUpgradeCheck}.
 */
@WebSocket(path = "/ws")
public class GatewaySocket {

    private static final Logger LOG = Logger.getLogger(GatewaySocket.class);
    static final int MAX_MESSAGE_BYTES = 64 * 1024;

    private final ConnectionRegistry registry;
    private final RequestDispatcher dispatcher;
    private final SessionTimers timers;
    private final AgentService agents;
    private final FanoutService fanout;
    private final PresenceService presence;
    private final TypingService typing;

    public GatewaySocket(ConnectionRegistry registry, RequestDispatcher dispatcher, SessionTimers timers,
                         AgentService agents, FanoutService fanout,
                         PresenceService presence, TypingService typing) {
        this.presence = presence;
        this.typing = typing;
        this.fanout = fanout;
        this.registry = registry;
        this.dispatcher = dispatcher;
        this.timers = timers;
        this.agents = agents;
    }

    @OnOpen
    Uni<Void> onOpen(WebSocketConnection connection) {
        ClientIdentity identity = connection.userData().get(GatewayUpgradeCheck.IDENTITY);
        ClientSession session = registry.open(connection, connection.userData().get(GatewayUpgradeCheck.CHANNEL),
                identity);
        timers.scheduleExpiry(session);
        fanout.tenantConnected(identity.tenant());
        presence.connected(identity.tenant(), identity.userId());
        return agents.recordConnection(identity)
                .onFailure().invoke(f -> LOG.warnf("could not record agent %s: %s", session.identity().userId(), f));
    }

    @OnTextMessage
    Uni<Void> onText(String frame, WebSocketConnection connection) {
        ClientSession session = registry.get(connection.id());
        if (session == null) {
            return Uni.createFrom().voidItem();
        }
        session.heard();
        if (utf8Length(frame) > MAX_MESSAGE_BYTES) {
            return connection.close(new CloseReason(CloseCodes.TOO_BIG, "message larger than 64 KiB"));
        }
        return dispatcher.dispatch(session, frame);
    }

    @OnPongMessage
    @NonBlocking
    void onPong(Buffer data, WebSocketConnection connection) {
        ClientSession session = registry.get(connection.id());
        if (session != null) {
            session.heard();
        }
    }

    @OnClose
    @NonBlocking
    void onClose(WebSocketConnection connection, CloseReason reason) {
        ClientSession session = registry.close(connection.id());
        if (session != null) {
            timers.cancel(session);
            fanout.tenantDisconnected(session.tenant());
            presence.disconnected(session.tenant(), session.identity().userId());
            typing.closed(session);
        }
    }

    @OnError
    Uni<Void> onError(WebSocketConnection connection, Throwable failure) {
        if (isOversizedMessage(failure)) {
            // Netty closes a single frame over 64 KiB with 1009 itself; a fragmented message over the
            // limit only raises this error in Vert.x and would leave the connection open.
            return connection.close(new CloseReason(CloseCodes.TOO_BIG, "message larger than 64 KiB"));
        }
        LOG.debugf("WebSocket %s failed: %s", connection.id(), failure.toString());
        return Uni.createFrom().voidItem();
    }

    private static int utf8Length(String text) {
        if (text.length() * 3L <= MAX_MESSAGE_BYTES) {
            return text.length(); // cannot be over the limit: skip the exact count
        }
        return text.getBytes(StandardCharsets.UTF_8).length;
    }

    private static boolean isOversizedMessage(Throwable failure) {
        return failure instanceof IllegalStateException && failure.getMessage() != null
                && failure.getMessage().contains("max message size");
    }
}
