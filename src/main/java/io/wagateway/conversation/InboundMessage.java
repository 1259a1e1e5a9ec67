package io.wagateway.conversation;

import java.time.Instant;
import java.util.Map;

/** A customer's message as received from WhatsApp, before it is stored. */
public record InboundMessage(String phoneNumberId, String fromWaId, String profileName, String waMessageId,
                             Instant timestamp, String type, String content, Map<String, Object> media,
                             Map<String, Object> reaction, Map<String, Object> location, Map<String, Object> extra,
                             String replyTo, Map<String, Object> error) {

    public static InboundMessage text(String phoneNumberId, String from, String name, String waMessageId,
                                      Instant timestamp, String body) {
        return new InboundMessage(phoneNumberId, from, name, waMessageId, timestamp, "text", body, null, null, null,
                null, null, null);
    }
}
