package io.wagateway.media;

import io.wagateway.conversation.InboundMessage;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * A customer's media as the webhook announced it (Meta's id, type, hash and, for documents, the
 * file name), turned into the gateway's media: a new id, a {@code pending} row for the download job,
 * and the message's {@code media} in the shape of PROTOCOL.md 6.4, which never carries Meta's id.
 */
public record InboundMedia(UUID id, String metaMediaId, String metaSha256, String mimeType, String filename,
                           boolean voice) {

    /** @return null when the message has no media the gateway can fetch (no Meta id) */
    public static InboundMedia of(InboundMessage m) {
        if (!MediaTypes.isMediaType(m.type()) || m.media() == null || !(m.media().get("id") instanceof String metaId)
                || metaId.isBlank()) {
            return null;
        }
        return new InboundMedia(UUID.randomUUID(), metaId, text(m.media(), "sha256"), text(m.media(), "mime_type"),
                text(m.media(), "filename"), Boolean.TRUE.equals(m.media().get("voice")));
    }

    /** The message with the gateway's media in place of Meta's. */
    public InboundMessage into(InboundMessage m) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", id.toString());
        if (mimeType != null) {
            view.put("mimeType", mimeType);
        }
        if (filename != null) {
            view.put("filename", filename);
        }
        if (m.content() != null) {
            view.put("caption", m.content());
        }
        if (voice) {
            view.put("voice", true);
        }
        view.put("status", MediaRow.PENDING);
        return new InboundMessage(m.phoneNumberId(), m.fromWaId(), m.profileName(), m.waMessageId(), m.timestamp(),
                m.type(), m.content(), view, m.reaction(), m.location(), m.extra(), m.replyTo(), m.error());
    }

    private static String text(Map<String, Object> media, String field) {
        return media.get(field) instanceof String s && !s.isBlank() ? s : null;
    }
}
