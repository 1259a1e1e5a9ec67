package io.wagateway.protocol;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.time.Instant;

/**
 * The durable server events of PROTOCOL.md ("Server -> client events"). Each record is its
 * frame's {@code data} as serialized; who receives it is decided by {@code fanout/Audiences},
 * not here.
 */
public sealed interface ServerEvent {

    /** The frame's {@code event}. */
    @JsonIgnore
    String name();

    @RegisterForReflection
    record NewMessage(@JsonValue Views.Message message) implements ServerEvent {
        @Override
        public String name() {
            return "new_message";
        }
    }

    /**
     * The whole message again, after something clients show changed that is not its status (PROTOCOL.md
     * 6.4: its media became {@code available} or {@code unavailable}); same audience as new_message.
     */
    @RegisterForReflection
    record MessageUpdated(@JsonValue Views.Message message) implements ServerEvent {
        @Override
        public String name() {
            return "message_updated";
        }
    }

    @RegisterForReflection
    record ConversationUpdated(@JsonValue Views.Conversation conversation) implements ServerEvent {
        @Override
        public String name() {
            return "conversation_updated";
        }
    }

    /** @param error Meta's error (or ours, for a send that failed for good); only with {@code failed} */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record MessageStatusUpdate(String messageId, String waMessageId, String conversationId, String status,
                               Instant timestamp, Object error) implements ServerEvent {
        @Override
        public String name() {
            return "message_status_update";
        }
    }

    @RegisterForReflection
    record MessageReadReceipt(String messageId, String conversationId, String readBy, Instant timestamp)
            implements ServerEvent {
        @Override
        public String name() {
            return "message_read_receipt";
        }
    }

    /** @param assignedBy the assigning user's id, or {@code auto} for round-robin assignment */
    @RegisterForReflection
    record ChatAssigned(String conversationId, Views.ContactRef customerInfo, String assignedBy, Instant timestamp)
            implements ServerEvent {
        @Override
        public String name() {
            return "chat_assigned";
        }
    }
}
