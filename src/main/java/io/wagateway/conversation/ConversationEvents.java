package io.wagateway.conversation;

import io.wagateway.config.AppConfig;
import io.wagateway.fanout.NewEvent;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The two events every stored message appends, routed the same way for inbound and outbound.
 * Callers must have loaded what the views need (see {@link ViewMapper}).
 */
@ApplicationScoped
public class ConversationEvents {

    private final ViewMapper views;
    private final AppConfig.Events.ConversationUpdates conversationUpdates;

    public ConversationEvents(ViewMapper views, AppConfig config) {
        this.views = views;
        this.conversationUpdates = config.events().conversationUpdates();
    }

    public NewEvent newMessage(Message message, Conversation conversation) {
        return NewEvent.forMessage("new_message", conversation.id, conversation.contact.id, conversation.assigneeId,
                views.message(message, conversation));
    }

    /** To every connection of the tenant (the contract), or with {@code rooms} only where new_message goes. */
    public NewEvent updated(Conversation conversation) {
        var view = views.conversation(conversation);
        return conversationUpdates == AppConfig.Events.ConversationUpdates.rooms
                ? NewEvent.forMessage("conversation_updated", conversation.id, conversation.contact.id,
                conversation.assigneeId, view)
                : NewEvent.forTenant("conversation_updated", view);
    }
}
