package io.wagateway.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.runtime.annotations.RegisterForReflection;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;


/**
 * The {@code data} of a client -> server frame, one record per event (PROTOCOL.md section 2).
 * Each is registered with its wire name, answer and handler in a {@code gateway/ClientRequests}
 * bean; Bean Validation annotations state the required fields and sizes, so a bad frame is
 * refused before any handler runs.
 */
public sealed interface ClientEvent {

    int MAX_LIMIT = 200;

    @RegisterForReflection
    record GetContacts(@Size(max = 200) String search, @Min(1) @Max(MAX_LIMIT) Integer limit,
                       @Size(max = 512) String cursor) implements ClientEvent {}

    @RegisterForReflection
    record GetConversations(@Min(1) @Max(MAX_LIMIT) Integer limit, @Size(max = 512) String cursor,
                            @Pattern(regexp = "open|closed") String status,
                            @Size(max = 256) String assignedTo,
                            @Size(max = 64) String phoneNumberId) implements ClientEvent {}

    @RegisterForReflection
    record GetMessages(@NotBlank @Size(max = 64) String conversationId, @Min(1) @Max(MAX_LIMIT) Integer limit,
                       @Size(max = 64) String before) implements ClientEvent {}

    @RegisterForReflection
    record GetMessagesBetween(@NotBlank @Size(max = 32) String fromNumber, @NotBlank @Size(max = 32) String toNumber,
                              @Min(1) @Max(MAX_LIMIT) Integer limit, @Min(0) Integer offset) implements ClientEvent {}

    @RegisterForReflection
    record GetAgents() implements ClientEvent {}

    /** @param phoneNumberId one of the tenant's numbers; absent: the default number (PROTOCOL.md 6.1) */
    @RegisterForReflection
    record GetQrCode(Boolean forceNew, @Size(max = 140) String prefilledMessage,
                     @Size(max = 64) String phoneNumberId) implements ClientEvent {}

    @RegisterForReflection
    record GetConnectionStatus(@Size(max = 64) String phoneNumberId) implements ClientEvent {}

    @RegisterForReflection
    record GetNumbers() implements ClientEvent {}

    @RegisterForReflection
    record GetTemplates(@Size(max = 64) String phoneNumberId, @Size(max = 200) String search) implements ClientEvent {}

    /**
     * @param from the tenant's number (a {@code phoneNumberId}) a first message to the contact goes from;
     *             absent: the default number, or the named conversation's number (PROTOCOL.md 6.1)
     */
    @RegisterForReflection
    record SendMessage(@NotBlank @Size(max = 32) String to, @Size(max = 4096) String message,
                       @Pattern(regexp = "text|template|image|document|audio|video|sticker|reaction|location") String type,
                       @Size(max = 64) String conversationId, @Size(max = 128) String clientMessageId,
                       @Size(max = 256) String replyTo, JsonNode template, JsonNode media, JsonNode reaction,
                       JsonNode location, @Size(max = 64) String from) implements ClientEvent {}

    @RegisterForReflection
    record JoinConversation(@NotBlank @Size(max = 64) String conversationId) implements ClientEvent {}

    @RegisterForReflection
    record LeaveConversation(@NotBlank @Size(max = 64) String conversationId) implements ClientEvent {}

    @RegisterForReflection
    record JoinGeneral() implements ClientEvent {}

    @RegisterForReflection
    record JoinCustomer(@NotBlank @Size(max = 64) String customerId) implements ClientEvent {}

    @RegisterForReflection
    record LeaveCustomer(@NotBlank @Size(max = 64) String customerId) implements ClientEvent {}

    @RegisterForReflection
    record TypingStart(@NotBlank @Size(max = 64) String conversationId) implements ClientEvent {}

    @RegisterForReflection
    record TypingStop(@NotBlank @Size(max = 64) String conversationId) implements ClientEvent {}

    @RegisterForReflection
    record MessageRead(@NotBlank @Size(max = 64) String conversationId,
                       @NotBlank @Size(max = 64) String messageId) implements ClientEvent {}

    @RegisterForReflection
    record AgentStatusUpdate(@NotNull @Pattern(regexp = "available|busy|away") String status) implements ClientEvent {}

    @RegisterForReflection
    record AssignChat(@NotBlank @Size(max = 64) String conversationId,
                      @NotBlank @Size(max = 256) String agentId) implements ClientEvent {}

    @RegisterForReflection
    record UpdateConversation(@NotBlank @Size(max = 64) String conversationId,
                              @NotNull @Pattern(regexp = "open|closed") String status) implements ClientEvent {}

    @RegisterForReflection
    record Authenticate(@NotBlank @Size(max = 16384) String token) implements ClientEvent {}

    @RegisterForReflection
    record Resume(@NotNull @Min(0) Long lastSeq) implements ClientEvent {}

    @RegisterForReflection
    record Ping() implements ClientEvent {}
}
