package io.wagateway.conversation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wagateway.media.MediaUrls;
import io.wagateway.protocol.Views;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** Entities -> protocol payloads. Callers must have fetched the associations a view needs. */
@ApplicationScoped
public class ViewMapper {

    /** The customer-service window opened by the contact's last inbound message. */
    public static final Duration SERVICE_WINDOW = Duration.ofHours(24);

    private final ObjectMapper json;
    private final MediaUrls mediaUrls;

    public ViewMapper(ObjectMapper json, MediaUrls mediaUrls) {
        this.json = json;
        this.mediaUrls = mediaUrls;
    }

    public Views.Contact contact(Contact c) {
        return new Views.Contact(c.id.toString(), c.waId, c.waId, c.name, c.lastMessageAt);
    }

    /** Needs {@code contact}, {@code phoneNumber} and {@code lastMessage} loaded. */
    public Views.Conversation conversation(Conversation c) {
        Contact contact = c.contact;
        return new Views.Conversation(c.id.toString(), new Views.ContactRef(contact.id.toString(), contact.waId,
                contact.name), c.phoneNumber.displayPhoneNumber, c.phoneNumber.phoneNumberId, c.assigneeId,
                c.status, c.unreadCount, c.lastMessage == null ? null : message(c.lastMessage, c),
                c.lastInboundAt, windowOpen(c.lastInboundAt, Instant.now()), c.updatedAt);
    }

    /** Needs the conversation's {@code contact} and {@code phoneNumber} loaded. */
    public Views.Message message(Message m, Conversation c) {
        String customer = c.contact.waId;
        String business = c.phoneNumber.displayPhoneNumber;
        boolean inbound = m.isInbound();
        return new Views.Message(m.id.toString(), c.id.toString(), m.waMessageId, m.clientMessageId, m.direction,
                !inbound, inbound ? customer : business, inbound ? business : customer, m.type, m.content,
                media(m), tree(m.template), tree(m.reaction), tree(m.location), tree(m.extra), m.replyTo,
                m.status, tree(m.error), m.sentBy, m.timestamp);
    }

    public static boolean windowOpen(Instant lastInboundAt, Instant now) {
        return lastInboundAt != null && lastInboundAt.plus(SERVICE_WINDOW).isAfter(now);
    }

    /**
     * The gateway's media (PROTOCOL.md 6.4) with its {@code url} signed now; anything else (a send by
     * {@code link} or by a Meta media id) as stored.
     */
    private JsonNode media(Message m) {
        JsonNode media = tree(m.media);
        if (media instanceof ObjectNode object && object.hasNonNull("status") && object.hasNonNull("id")) {
            object.put("url", mediaUrls.url(m.tenantId, object.get("id").asText()));
        }
        return media;
    }

    private JsonNode tree(Map<String, Object> value) {
        return value == null ? null : json.valueToTree(value);
    }
}
