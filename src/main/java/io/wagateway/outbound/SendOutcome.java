package io.wagateway.outbound;

import io.wagateway.whatsapp.MetaError;

import java.time.Instant;
import java.util.UUID;

/**
 * Fired (CDI event) when a send finished: {@code waMessageId} on success, {@code error} when it
 * failed for good. The gateway answers the requesting connection with it.
 */
public record SendOutcome(UUID messageId, String waMessageId, Instant timestamp, MetaError error) {

    public boolean succeeded() {
        return error == null;
    }
}
