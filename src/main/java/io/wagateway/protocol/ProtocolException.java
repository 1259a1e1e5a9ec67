package io.wagateway.protocol;

/**
 * A request that cannot be served, with the code and human text the client gets. Thrown (or
 * failed into a Uni) by services; the gateway turns it into the request's answer or an
 * {@code error} event. Carries no stack trace: it is an answer, not a bug.
 */
public class ProtocolException extends RuntimeException {

    private final ErrorCode code;

    public ProtocolException(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    public static ProtocolException notFound(String what) {
        return new ProtocolException(ErrorCode.NOT_FOUND, what + " not found");
    }

    public static ProtocolException forbidden(String message) {
        return new ProtocolException(ErrorCode.FORBIDDEN, message);
    }

    public static ProtocolException badRequest(String message) {
        return new ProtocolException(ErrorCode.BAD_REQUEST, message);
    }
}
