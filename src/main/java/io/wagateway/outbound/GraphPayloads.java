package io.wagateway.outbound;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wagateway.media.MediaRow;
import io.wagateway.protocol.ClientEvent.SendMessage;
import io.wagateway.protocol.ProtocolException;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a {@code send_message} for what its type requires and builds the Graph API body
 * ({@code POST /{phone-number-id}/messages}). Everything here runs before anything is stored.
 */
final class GraphPayloads {

    static final int MAX_TEXT = 4096;
    static final int MAX_CAPTION = 1024;
    private static final Set<String> MEDIA = Set.of("image", "document", "audio", "video", "sticker");
    private static final Pattern LINK = Pattern.compile("https?://", Pattern.CASE_INSENSITIVE);

    private GraphPayloads() {
    }

    /** What a send stores beside the Graph body. */
    record Prepared(String type, ObjectNode body, String content, Map<String, Object> media,
                    Map<String, Object> template, Map<String, Object> reaction, Map<String, Object> location) {}

    /**
     * @param replyWamid    WhatsApp id of the quoted message, or null
     * @param reactionWamid WhatsApp id of the message reacted to (type reaction), or null
     */
    static Prepared prepare(ObjectMapper json, SendMessage r, String to, String messageId, String replyWamid,
                            String reactionWamid) {
        return prepare(json, r, to, messageId, replyWamid, reactionWamid, null);
    }

    /**
     * @param upload the gateway media {@code media.id} names (an upload, PROTOCOL.md 6.4), or null for a Meta
     *               media id or a link: sent by its Meta id, stored as the gateway's media so that clients show it
     */
    static Prepared prepare(ObjectMapper json, SendMessage r, String to, String messageId, String replyWamid,
                            String reactionWamid, MediaRow upload) {
        String type = r.type() == null ? "text" : r.type();
        ObjectNode body = json.createObjectNode().put("messaging_product", "whatsapp")
                .put("recipient_type", "individual").put("to", to).put("type", type);
        String content = null;
        Map<String, Object> media = null;
        Map<String, Object> template = null;
        Map<String, Object> reaction = null;
        Map<String, Object> location = null;
        switch (type) {
            case "text" -> {
                if (r.message() == null || r.message().isBlank()) {
                    throw bad("message", "message is required for a text message");
                }
                content = r.message();
                body.putObject("text").put("body", content).put("preview_url", LINK.matcher(content).find());
            }
            case "template" -> {
                JsonNode t = object(r.template(), "template");
                String name = text(t, "name");
                JsonNode language = t.get("language");
                String code = language == null ? null : language.isTextual() ? language.asText()
                        : text(language, "code");
                if (name == null || code == null) {
                    throw bad("template", "template.name and template.language are required");
                }
                ObjectNode out = body.putObject("template").put("name", name);
                out.putObject("language").put("code", code);
                JsonNode components = t.get("components");
                if (components != null && !components.isNull()) {
                    if (!components.isArray()) {
                        throw bad("template.components", "template.components must be an array");
                    }
                    out.set("components", components);
                }
                template = json.convertValue(out, Map.class);
                content = r.message();
            }
            case "image", "document", "audio", "video", "sticker" -> {
                JsonNode m = object(r.media(), "media");
                String id = text(m, "id");
                String link = text(m, "link");
                if ((id == null) == (link == null)) {
                    throw bad("media", "media needs exactly one of id or link");
                }
                if (link != null && !link.startsWith("https://") && !link.startsWith("http://")) {
                    throw bad("media.link", "media.link must be an http(s) URL");
                }
                ObjectNode out = body.putObject(type);
                if (upload != null) {
                    out.put("id", upload.metaMediaId());
                    if ("audio".equals(type) && upload.mimeType() != null && upload.mimeType().startsWith("audio/ogg")) {
                        out.put("voice", true); // Ogg/Opus goes as a voice message (Meta's audio messages page)
                    }
                } else if (id != null) {
                    out.put("id", id);
                } else {
                    out.put("link", link);
                }
                String caption = text(m, "caption") != null ? text(m, "caption") : r.message();
                if (caption != null && !"audio".equals(type) && !"sticker".equals(type)) {
                    if (caption.length() > MAX_CAPTION) {
                        throw bad("media.caption", "caption is longer than 1024 characters");
                    }
                    out.put("caption", caption);
                    content = caption;
                }
                String filename = text(m, "filename") != null ? text(m, "filename")
                        : upload != null ? upload.filename() : null;
                if (filename != null && "document".equals(type)) {
                    out.put("filename", filename);
                }
                media = upload == null ? json.convertValue(out, Map.class) : gatewayMedia(upload, filename,
                        out.path("caption").asText(null), out.path("voice").asBoolean(false));
            }
            case "reaction" -> {
                JsonNode x = object(r.reaction(), "reaction");
                if (reactionWamid == null || !x.has("emoji") || !x.get("emoji").isTextual()) {
                    throw bad("reaction", "reaction.messageId and reaction.emoji are required");
                }
                String emoji = x.get("emoji").asText();
                body.putObject("reaction").put("message_id", reactionWamid).put("emoji", emoji);
                reaction = Map.of("messageId", text(x, "messageId"), "waMessageId", reactionWamid, "emoji", emoji);
                content = emoji;
            }
            case "location" -> {
                JsonNode l = object(r.location(), "location");
                if (!l.path("latitude").isNumber() || !l.path("longitude").isNumber()) {
                    throw bad("location", "location.latitude and location.longitude must be numbers");
                }
                double latitude = l.get("latitude").asDouble();
                double longitude = l.get("longitude").asDouble();
                if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180) {
                    throw bad("location", "location is out of range");
                }
                ObjectNode out = body.putObject("location").put("latitude", latitude).put("longitude", longitude);
                if (text(l, "name") != null) {
                    out.put("name", text(l, "name"));
                }
                if (text(l, "address") != null) {
                    out.put("address", text(l, "address"));
                }
                location = json.convertValue(out, Map.class);
                content = text(l, "name");
            }
            default -> throw bad("type", "unsupported type " + type);
        }
        if (replyWamid != null) {
            body.putObject("context").put("message_id", replyWamid);
        }
        body.put("biz_opaque_callback_data", messageId); // lets status webhooks reconcile a lost WhatsApp id
        return new Prepared(type, body, content, media, template, reaction, location);
    }

    /** The message's media as clients see it (PROTOCOL.md 6.4): the gateway's id, never Meta's. */
    private static Map<String, Object> gatewayMedia(MediaRow upload, String filename, String caption, boolean voice) {
        Map<String, Object> media = new LinkedHashMap<>();
        media.put("id", upload.id().toString());
        media.put("mimeType", upload.mimeType());
        if (filename != null) {
            media.put("filename", filename);
        }
        if (caption != null) {
            media.put("caption", caption);
        }
        if (upload.size() != null) {
            media.put("size", upload.size());
        }
        if (upload.sha256() != null) {
            media.put("sha256", upload.sha256());
        }
        if (voice) {
            media.put("voice", true);
        }
        media.put("status", upload.status());
        return media;
    }

    static boolean isMedia(String type) {
        return MEDIA.contains(type);
    }

    private static JsonNode object(JsonNode node, String field) {
        if (node == null || !node.isObject()) {
            throw bad(field, field + " is required and must be an object");
        }
        return node;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        return value == null || !value.isTextual() || value.asText().isBlank() ? null : value.asText();
    }

    private static ProtocolException bad(String field, String message) {
        return ProtocolException.badField(field, message);
    }
}
