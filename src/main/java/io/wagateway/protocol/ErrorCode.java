package io.wagateway.protocol;

import com.fasterxml.jackson.annotation.JsonValue;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The error codes of PROTOCOL.md section 2, as they appear on the wire. Registered for reflection
 * because Jackson finds {@link #wire()} through its {@code @JsonValue} in frames built outside any
 * REST signature (a native image would otherwise write the constant names).
 */
@RegisterForReflection
public enum ErrorCode {
    BAD_REQUEST, UNKNOWN_EVENT, UNAUTHORIZED, FORBIDDEN, NOT_FOUND, RATE_LIMITED, PAYLOAD_TOO_LARGE,
    OUTSIDE_WINDOW, WHATSAPP_ERROR, UNAVAILABLE, INTERNAL,
    /** REST only (PROTOCOL.md 6.8): what is to be created exists already (409). */
    CONFLICT,
    /** REST only (PROTOCOL.md 6.4): an upload of a type WhatsApp does not take for its media type (415). */
    UNSUPPORTED_MEDIA_TYPE;

    @JsonValue
    public String wire() {
        return name().toLowerCase();
    }
}
