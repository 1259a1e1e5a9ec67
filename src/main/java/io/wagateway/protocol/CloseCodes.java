package io.wagateway.protocol;

/** WebSocket close codes the server uses. */
public final class CloseCodes {
    /** Server going away (shutdown): reconnect elsewhere. */
    public static final int GOING_AWAY = 1001;
    /** Frame larger than 64 KiB. */
    public static final int TOO_BIG = 1009;
    /** Policy violation, e.g. a peer that stopped answering pings. */
    public static final int POLICY = 1008;
    /** The connection's JWT expired without an {@code authenticate} refresh. */
    public static final int TOKEN_EXPIRED = 4001;
    /** The client did not read its frames fast enough: its buffer (app.ws.max-queued-bytes) overflowed. */
    public static final int SLOW_CONSUMER = 4008;
    /** The token's tenant or user was disabled (an admin deactivated the agent): do not reconnect. */
    public static final int DISABLED = 4403;

    private CloseCodes() {
    }
}
