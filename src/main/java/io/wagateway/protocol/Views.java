package io.wagateway.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.time.Instant;

/** Payload shapes of PROTOCOL.md section 2 ("Payload shapes"). Ids are opaque strings. */
public final class Views {

    private Views() {
    }

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Contact(String id, String waId, String phoneNumber, String name, Instant lastMessageAt) {}

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ContactRef(String id, String waId, String name) {}

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Conversation(String id, ContactRef contact, String businessNumber, String phoneNumberId,
                               String assignee, String status, int unreadCount, Message lastMessage,
                               Instant lastInboundAt, boolean windowOpen, Instant updatedAt) {}

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Message(String id, String conversationId, String waMessageId, String clientMessageId,
                          String direction, @JsonProperty("isOutgoing") boolean isOutgoing, String from, String to,
                          String type, String content, JsonNode media, JsonNode template, JsonNode reaction,
                          JsonNode location, JsonNode extra, String replyTo, String status, JsonNode error,
                          String sentBy, Instant timestamp) {}

    /** {@code conversation_updated_response}: the conversation after the change. */
    @RegisterForReflection
    public record ConversationChanged(Conversation conversation) {}

    @RegisterForReflection
    public record Agent(String agentId, String name, String status, boolean online) {}

    /**
     * Join and leave answers. {@code lastSeq} (joins only, PROTOCOL.md 6.2): the tenant's newest
     * durable seq when the join took effect; every later event of the room reaches the connection
     * live, so a fresh page resumes from it.
     */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RoomJoined(String conversationId, String room, Long lastSeq) {}

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record CustomerRoom(String customerId, String room, Long lastSeq) {}

    @RegisterForReflection
    public record GeneralRoom(String room, long lastSeq) {}

    @RegisterForReflection
    public record Pong(Instant timestamp) {}

    /** {@code message_sent}: the send is stored; {@code clientMessageId} is kept even when null. */
    @RegisterForReflection
    public record MessageSent(String messageId, String clientMessageId, String status) {}

    @RegisterForReflection
    public record Authenticated(String userId, String tenant, Instant expiresAt) {}

    @RegisterForReflection
    public record AuthError(String message) {}
}
