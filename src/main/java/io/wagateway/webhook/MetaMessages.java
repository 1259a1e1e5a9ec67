package io.wagateway.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.wagateway.conversation.InboundMessage;
import io.wagateway.conversation.StatusUpdate;

import java.time.Duration;
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
    /** WhatsApp ids are about 60 characters; a longer one does not fit a btree index entry in bulk. */
    static final int MAX_ID_LENGTH = 256;
    static final int MAX_TYPE_LENGTH = 64;
    private static final Instant EARLIEST = Instant.parse("2009-01-01T00:00:00Z");

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
        if (id.length() > MAX_ID_LENGTH || from.length() > MAX_ID_LENGTH) {
            throw new IllegalArgumentException("message id or sender longer than " + MAX_ID_LENGTH + " characters");
        }
        String type = text(m, "type");
        if (type == null) {
            type = "unknown";
        } else if (type.length() > MAX_TYPE_LENGTH) {
            throw new IllegalArgumentException("message type longer than " + MAX_TYPE_LENGTH + " characters");
        }
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
            extra = Map.of("contacts", value(json, m.path("contacts")));
            content = text(m.path("contacts").path(0).path("name"), "formatted_name");
        } else if (body != null && !body.isNull()) {
            extra = Map.of(type, value(json, body));
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
        if (id.length() > MAX_ID_LENGTH || status.length() > MAX_TYPE_LENGTH) {
            throw new IllegalArgumentException("status id or status too long");
        }
        Map<String, Object> error = s.has("errors") && s.get("errors").size() > 0 ? map(json, s.get("errors").get(0)) : null;
        return new StatusUpdate(id, status.toLowerCase(), timestamp(s), error, text(s, "biz_opaque_callback_data"));
    }

    private static String profileName(JsonNode contacts, String from) {
        if (contacts == null || !contacts.isArray()) {
            return null;
        }
        for (JsonNode contact : contacts) {
            if (from.equals(contact.path("wa_id").asText(null)) || from.equals(contact.path("user_id").asText(null))) {
                return text(contact.path("profile"), "name");
            }
        }
        return contacts.size() == 1 ? text(contacts.get(0).path("profile"), "name") : null;
    }

    /**
     * Meta sends unix seconds as a string; a missing or odd value means "now", and so does one before
     * WhatsApp existed or more than a day ahead: it would sort the conversation list wrongly for good,
     * and one beyond what timestamptz holds would fail the delivery at every retry.
     */
    private static Instant timestamp(JsonNode node) {
        Instant now = Instant.now();
        try {
            Instant at = Instant.ofEpochSecond(Long.parseLong(node.path("timestamp").asText()));
            return at.isBefore(EARLIEST) || at.isAfter(now.plus(Duration.ofDays(1))) ? now : at;
        } catch (NumberFormatException e) {
            return now;
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

    /** Any JSON value as stored in jsonb (NUL dropped); JSON null as an empty object. */
    private static Object value(ObjectMapper json, JsonNode node) {
        Object value = node == null || node.isNull() || node.isMissingNode() ? null
                : json.convertValue(withoutNul(json, node), Object.class);
        return value == null ? new LinkedHashMap<>() : value;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(ObjectMapper json, JsonNode node) {
        if (node == null || !node.isObject()) {
            return new LinkedHashMap<>();
        }
        // jsonb refuses \u0000 too
        return json.convertValue(withoutNul(json, node), Map.class);
    }

    /** A copy without NUL in any key or string (a walk, not a text replace: a literal backslash-u stays). */
    private static JsonNode withoutNul(ObjectMapper json, JsonNode node) {
        if (node.isTextual()) {
            return node.textValue().indexOf('\u0000') < 0 ? node : json.getNodeFactory().textNode(node.textValue()
                    .replace("\u0000", ""));
        }
        if (node.isArray()) {
            ArrayNode copy = json.createArrayNode();
            node.forEach(element -> copy.add(withoutNul(json, element)));
            return copy;
        }
        if (node.isObject()) {
            ObjectNode copy = json.createObjectNode();
            node.fields().forEachRemaining(field -> copy.set(field.getKey().replace("\u0000", ""),
                    withoutNul(json, field.getValue())));
            return copy;
        }
        return node;
    }
}
