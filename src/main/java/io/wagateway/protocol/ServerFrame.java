package io.wagateway.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** A server -> client frame: {@code {event, requestId?, seq?, data}}. */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ServerFrame(String event, String requestId, Long seq, Object data) {

    /** An answer to a request: {@code data = {success: true, data: result}}. */
    public static ServerFrame success(String event, String requestId, Object result) {
        return new ServerFrame(event, requestId, null, Answer.ok(result, null));
    }

    public static ServerFrame success(String event, String requestId, Object result, String nextCursor) {
        return new ServerFrame(event, requestId, null, Answer.ok(result, nextCursor));
    }

    /**
     * A list answer of a {@code get_*}: {@code nextCursor} when there is more, and {@code lastSeq},
     * the tenant's newest durable seq at the answer (PROTOCOL.md 6.2), beside {@code success}.
     */
    public static ServerFrame list(String event, String requestId, Object items, String nextCursor, long lastSeq) {
        return new ServerFrame(event, requestId, null, new Answer(true, items, null, nextCursor, lastSeq, null));
    }

    public static ServerFrame failure(String event, String requestId, ErrorCode code, String message) {
        return new ServerFrame(event, requestId, null, Answer.failed(new ErrorBody(code, message)));
    }

    /** The {@code error} event for frames that could not be run at all. */
    public static ServerFrame error(String requestId, ErrorCode code, String message) {
        return new ServerFrame("error", requestId, null, new ErrorBody(code, message));
    }

    public static ServerFrame push(String event, Object data) {
        return new ServerFrame(event, null, null, data);
    }

    /** {@code {success, data | error, nextCursor?, lastSeq?, messageId?}}. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Answer(boolean success, Object data, ErrorBody error, String nextCursor, Long lastSeq,
                         String messageId) {
        public static Answer ok(Object data, String nextCursor) {
            return new Answer(true, data, null, nextCursor, null, null);
        }

        public static Answer failed(ErrorBody error) {
            return new Answer(false, null, error, null, null, null);
        }
    }

    /** {@code {code, message, metaCode?, details?}}. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ErrorBody(ErrorCode code, String message, Integer metaCode, String details) {
        public ErrorBody(ErrorCode code, String message) {
            this(code, message, null, null);
        }
    }
}
