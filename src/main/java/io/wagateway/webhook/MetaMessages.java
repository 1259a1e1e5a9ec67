package io.wagateway.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wagateway.conversation.InboundMessage;
import io.wagateway.conversation.StatusUpdate;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Maps the parts of Meta's webhook JSON the service uses, leniently: unknown fields and types
 * are kept as they came (in {@code extra}) and never fail ingestion. A missing id or sender is
 * the only thing that makes an item unusable.
 */
final class MetaMessages {

    private static final Set<String> MEDIA = Set.of("image", "video", "audio", "document", "sticker");

    private MetaMessages() {
    }

    /** @throws IllegalArgumentException when the item lacks what a message needs */
    static InboundMessage inbound(ObjectMapper json, String phoneNumberId, JsonNode m, JsonNode contacts) {
        String id = text(m, "id");
        String from = text(m, "from");
        if (from == null) {
            from = text(m, "from_user_id"); // business-scoped user id when the number is hidden
        }
        if (id == null || from == null) {
            throw new IllegalArgumentException("message without id or sender");
        }
        String type = m.hasNonNull("type") ? m.get("type").asText() : "unknown";
        String content = null;
        Map<String, Object> media = null;
        Map<String, Object> reaction = null;
        Map<String, Object> location = null;
        Map<String, Object> extra = null;
        Map<String, Object> error = null;
        JsonNode body = m.get(type);
        if ("text".equals(type)) {
            content = text(body, "body");
        } else if (MEDIA.contains(type)) {
            media = map(json, body);
            content = text(body, "caption");
        } else if ("reaction".equals(type)) {
            reaction = map(json, body);
            content = text(body, "emoji");
        } else if ("location".equals(type)) {
            location = map(json, body);
            content = text(body, "name");
        } else if ("interactive".equals(type)) {
            extra = Map.of("interactive", map(json, body));
            JsonNode reply = body == null ? null : body.has("button_reply") ? body.get("button_reply") : body.get("list_reply");
            content = text(reply, "title");
        } else if ("button".equals(type)) {
            extra = Map.of("button", map(json, body));
            content = text(body, "text");
        } else if ("contacts".equals(type)) {
            extra = Map.of("contacts", json.convertValue(m.get("contacts"), Object.class));
            content = m.path("contacts").path(0).path("name").path("formatted_name").asText(null);
        } else if (body != null) {
            extra = Map.of(type, json.convertValue(body, Object.class));
        }
        if (m.has("errors") && m.get("errors").size() > 0) {
            error = map(json, m.get("errors").get(0)); // e.g. unsupported: 131051
        }
        String replyTo = text(m.get("context"), "id");
        return new InboundMessage(phoneNumberId, from, profileName(contacts, from), id, timestamp(m), type, content,
                media, reaction, location, extra, replyTo, error);
    }

    /** @throws IllegalArgumentException when the item lacks an id or status */
    static StatusUpdate status(ObjectMapper json, JsonNode s) {
        String id = text(s, "id");
        String status = text(s, "status");
        if (id == null || status == null) {
            throw new IllegalArgumentException("status without id or status");
        }
        Map<String, Object> error = s.has("errors") && s.get("errors").size() > 0 ? map(json, s.get("errors").get(0)) : null;
        return new StatusUpdate(id, status.toLowerCase(), timestamp(s), error, text(s, "biz_opaque_callback_data"));
    }

    private static String profileName(JsonNode contacts, String from) {
        if (contacts == null) {
            return null;
        }
        for (JsonNode contact : contacts) {
            if (from.equals(contact.path("wa_id").asText(null)) || from.equals(contact.path("user_id").asText(null))) {
                return text(contact.path("profile"), "name");
            }
        }
        return contacts.size() == 1 ? text(contacts.get(0).path("profile"), "name") : null;
    }

    /** Meta sends unix seconds as a string; a missing or odd value means "now". */
    private static Instant timestamp(JsonNode node) {
        try {
            return Instant.ofEpochSecond(Long.parseLong(node.path("timestamp").asText()));
        } catch (NumberFormatException e) {
            return Instant.now();
        }
    }

    /** PostgreSQL text cannot hold NUL: dropped here so that such a message is stored, not refused forever. */
    private static String text(JsonNode node, String field) {
        if (node == null || !node.hasNonNull(field)) {
            return null;
        }
        String value = node.get(field).asText().replace("\u0000", "");
        return value.isEmpty() ? null : value;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(ObjectMapper json, JsonNode node) {
        if (node == null || !node.isObject()) {
            return new LinkedHashMap<>();
        }
        // jsonb refuses \u0000 too
        return json.convertValue(withoutNul(json, node), Map.class);
    }

    private static JsonNode withoutNul(ObjectMapper json, JsonNode node) {
        String text = node.toString();
        if (!text.contains("\\u0000")) {
            return node;
        }
        try {
            return json.readTree(text.replace("\\u0000", ""));
        } catch (Exception e) {
            throw new IllegalArgumentException("unreadable item", e);
        }
    }
}
