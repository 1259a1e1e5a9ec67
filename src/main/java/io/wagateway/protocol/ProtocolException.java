package io.wagateway.protocol;

/**
 * A request that cannot be served, with the code and human text the client gets. Thrown (or
 * failed into a Uni) by services; the gateway turns it into the request's answer or an
 * {@code error} event. Carries no stack trace: it is an answer, not a bug.
 */
public class ProtocolException extends RuntimeException {

    private final ErrorCode code;
    private final String field;

    public ProtocolException(ErrorCode code, String message) {
        this(code, message, null);
    }

    private ProtocolException(ErrorCode code, String message, String field) {
        super(message, null, false, false);
        this.code = code;
        this.field = field;
    }

    public ErrorCode code() {
        return code;
    }

    /** The request field a {@code bad_request} is about, or null: the REST API names it in {@code errors}. */
    public String field() {
        return field;
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

    /** A {@code bad_request} about one field of the request (its name as the client sent it). */
    public static ProtocolException badField(String field, String message) {
        return new ProtocolException(ErrorCode.BAD_REQUEST, message, field);
    }
}
