package io.wagateway.protocol;

import com.fasterxml.jackson.annotation.JsonValue;

/** The error codes of PROTOCOL.md section 2, as they appear on the wire. */
public enum ErrorCode {
    BAD_REQUEST, UNKNOWN_EVENT, UNAUTHORIZED, FORBIDDEN, NOT_FOUND, RATE_LIMITED, PAYLOAD_TOO_LARGE,
    OUTSIDE_WINDOW, WHATSAPP_ERROR, UNAVAILABLE, INTERNAL;

    @JsonValue
    public String wire() {
        return name().toLowerCase();
    }
}
