package io.wagateway.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.wagateway.protocol.ErrorCode;
import io.wagateway.protocol.ProtocolException;
import io.wagateway.protocol.WhatsAppException;
import jakarta.ws.rs.core.Response;

import java.util.List;

/**
 * An error of the REST API as {@code application/problem+json} (RFC 9457): the standard members
 * plus the protocol's error {@code code} (PROTOCOL.md section 2), the fields a 400 is about, and
 * Meta's code and details for {@code whatsapp_error}.
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, ErrorCode code,
                      List<FieldError> errors, Integer metaCode, String details) {

    public static final String MEDIA_TYPE = "application/problem+json";

    /** One invalid field of a 400: its name as the client sent it (a query parameter, a body path). */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record FieldError(String field, String message) {}

    public static Problem of(ErrorCode code, String detail) {
        int status = status(code);
        // a 400 always says which field, even when the refusal does not know it (then field is absent)
        List<FieldError> errors = status == 400 ? List.of(new FieldError(null, detail)) : null;
        return new Problem("about:blank", title(status), status, detail, code, errors, null, null);
    }

    public static Problem of(ProtocolException e) {
        if (e instanceof WhatsAppException w) {
            int status = status(w.code());
            return new Problem("about:blank", title(status), status, w.getMessage(), w.code(), null,
                    w.metaCode() == 0 ? null : w.metaCode(), w.details());
        }
        if (e.field() != null) {
            return invalid(List.of(new FieldError(e.field(), e.getMessage())));
        }
        return of(e.code(), e.getMessage());
    }

    public static Problem invalid(List<FieldError> errors) {
        String detail = errors.size() == 1 ? errors.get(0).message() : "the request has " + errors.size() + " invalid fields";
        return new Problem("about:blank", title(400), 400, detail, ErrorCode.BAD_REQUEST, errors, null, null);
    }

    public Response response() {
        Response.ResponseBuilder builder = Response.status(status).type(MEDIA_TYPE).entity(this);
        if (status == 401) {
            builder.header("WWW-Authenticate", "Bearer");
        }
        return builder.build();
    }

    /** The HTTP status of each protocol error code; {@code outside_window} is 422 (PROTOCOL.md 6.7). */
    public static int status(ErrorCode code) {
        return switch (code) {
            case BAD_REQUEST, UNKNOWN_EVENT -> 400;
            case UNAUTHORIZED -> 401;
            case FORBIDDEN -> 403;
            case NOT_FOUND -> 404;
            case CONFLICT -> 409;
            case PAYLOAD_TOO_LARGE -> 413;
            case UNSUPPORTED_MEDIA_TYPE -> 415;
            case OUTSIDE_WINDOW -> 422;
            case RATE_LIMITED -> 429;
            case INTERNAL -> 500;
            case WHATSAPP_ERROR -> 502;
            case UNAVAILABLE -> 503;
        };
    }

    static ErrorCode code(int status) {
        return switch (status) {
            case 401 -> ErrorCode.UNAUTHORIZED;
            case 403 -> ErrorCode.FORBIDDEN;
            case 404, 405 -> ErrorCode.NOT_FOUND;
            case 409 -> ErrorCode.CONFLICT;
            case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
            case 415 -> ErrorCode.UNSUPPORTED_MEDIA_TYPE;
            case 429 -> ErrorCode.RATE_LIMITED;
            case 503 -> ErrorCode.UNAVAILABLE;
            default -> status >= 500 ? ErrorCode.INTERNAL : ErrorCode.BAD_REQUEST;
        };
    }

    private static String title(int status) {
        Response.Status known = Response.Status.fromStatusCode(status);
        if (known != null) {
            return known.getReasonPhrase();
        }
        return status == 422 ? "Unprocessable Content" : "Error";
    }
}
