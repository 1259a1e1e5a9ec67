package io.wagateway.conversation;

import io.wagateway.fanout.Audiences;
import io.wagateway.fanout.NewEvent;
import io.wagateway.protocol.ServerEvent;
import io.wagateway.protocol.Views;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.UUID;

/**
 * The one place that builds the durable events of conversations and their messages, for every
 * path that changes them (inbound, outbound, statuses, reads, assignment); {@link Audiences}
 * addresses them. Entity arguments must have what their views need loaded (see {@link ViewMapper}).
 */
@ApplicationScoped
public class ConversationEvents {

    private final ViewMapper views;
    private final Audiences audiences;

    public ConversationEvents(ViewMapper views, Audiences audiences) {
        this.views = views;
        this.audiences = audiences;
    }

    public NewEvent newMessage(Message message, Conversation conversation) {
        return audiences.address(new ServerEvent.NewMessage(views.message(message, conversation)), conversation.id,
                conversation.contact.id, conversation.assigneeId);
    }

    /** The message again, e.g. once its media is fetched ({@code message_updated}, where its new_message went). */
    public NewEvent messageUpdated(Message message, Conversation conversation) {
        return audiences.address(new ServerEvent.MessageUpdated(views.message(message, conversation)),
                conversation.id, conversation.contact.id, conversation.assigneeId);
    }

    public NewEvent updated(Conversation conversation) {
        return updated(views.conversation(conversation));
    }

    public NewEvent updated(Views.Conversation conversation) {
        return audiences.address(new ServerEvent.ConversationUpdated(conversation), UUID.fromString(conversation.id()),
                UUID.fromString(conversation.contact().id()), conversation.assignee());
    }

    /** A message's status moved forward: {@code message_status_update} where its new_message went. */
    public NewEvent statusChanged(StatusChange change) {
        return audiences.address(new ServerEvent.MessageStatusUpdate(change.messageId().toString(), change.waMessageId(),
                        change.conversationId().toString(), change.status(), change.at(), change.error()),
                change.conversationId(), change.contactId(), change.assignee());
    }

    public NewEvent readReceipt(UUID messageId, UUID conversationId, UUID contactId, String readBy, Instant at) {
        return audiences.address(new ServerEvent.MessageReadReceipt(messageId.toString(), conversationId.toString(),
                readBy, at), conversationId, contactId, null);
    }

    /** @param assignedBy the user who assigned, or {@code auto} */
    public NewEvent chatAssigned(UUID conversationId, Views.ContactRef customer, String assignee, String assignedBy,
                                 Instant at) {
        return audiences.address(new ServerEvent.ChatAssigned(conversationId.toString(), customer, assignedBy, at),
                conversationId, UUID.fromString(customer.id()), assignee);
    }

    /**
     * A message's new status and where its conversation's events go.
     *
     * @param error only with {@code failed}: Meta's error, or ours for a send that failed for good
     */
    public record StatusChange(UUID messageId, String waMessageId, UUID conversationId, UUID contactId, String assignee,
                               String status, Instant at, Object error) {}
}
