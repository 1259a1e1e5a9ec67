package io.wagateway.fanout;

import java.util.UUID;

/**
 * A committed event of the durable log. {@code payloadJson} is the {@code data} exactly as stored,
 * so that live delivery and replay send the same thing.
 */
public record DurableEvent(String tenant, long seq, String name, Audience audience, UUID conversationId,
                           UUID contactId, String userId, String payloadJson) {

    /** The wire frame, built once per event and shared by every receiving connection. */
    public String frame() {
        return "{\"event\":\"" + name + "\",\"seq\":" + seq + ",\"data\":" + payloadJson + "}";
    }
}
