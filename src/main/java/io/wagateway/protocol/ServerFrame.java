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

    /** {@code {success, data | error, nextCursor?, messageId?}}. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Answer(boolean success, Object data, ErrorBody error, String nextCursor, String messageId) {
        public static Answer ok(Object data, String nextCursor) {
            return new Answer(true, data, null, nextCursor, null);
        }

        public static Answer failed(ErrorBody error) {
            return new Answer(false, null, error, null, null);
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
