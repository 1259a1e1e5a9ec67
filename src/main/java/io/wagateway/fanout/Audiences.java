package io.wagateway.fanout;

import io.wagateway.config.AppConfig;
import io.wagateway.protocol.ServerEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.UUID;

/**
 * Who receives each durable event (PROTOCOL.md, "Server -> client events"), decided here and
 * nowhere else, so that a setting such as {@code app.events.conversation-updates} holds for every
 * path that announces the event.
 */
@ApplicationScoped
public class Audiences {

    private final boolean conversationUpdatesToRooms;

    @Inject
    public Audiences(AppConfig config) {
        this(config.events().conversationUpdates() == AppConfig.Events.ConversationUpdates.rooms);
    }

    Audiences(boolean conversationUpdatesToRooms) {
        this.conversationUpdatesToRooms = conversationUpdatesToRooms;
    }

    /**
     * The event as the log stores it, addressed to its audience.
     *
     * @param assignee the conversation's assignee after the change (for {@code chat_assigned}: the
     *                 user assigned), who receives the conversation's events wherever they are
     */
    public NewEvent address(ServerEvent event, UUID conversationId, UUID contactId, String assignee) {
        Audience audience = audienceOf(event);
        if (audience == Audience.TENANT) {
            return new NewEvent(event.name(), audience, null, null, null, event);
        }
        return new NewEvent(event.name(), audience, conversationId, contactId, assignee, event);
    }

    Audience audienceOf(ServerEvent event) {
        if (event instanceof ServerEvent.ConversationUpdated) {
            return conversationUpdatesToRooms ? Audience.MESSAGE : Audience.TENANT;
        }
        if (event instanceof ServerEvent.MessageReadReceipt) {
            return Audience.CONVERSATION_ROOM;
        }
        if (event instanceof ServerEvent.ChatAssigned) {
            return Audience.USER;
        }
        return Audience.MESSAGE; // new_message, message_status_update
    }
}
