package io.wagateway.outbound;

import io.wagateway.conversation.Ids;
import io.wagateway.conversation.Message;
import io.wagateway.conversation.ViewMapper;
import io.wagateway.phonenumber.Numbers;
import io.wagateway.protocol.ClientEvent.SendMessage;
import io.wagateway.protocol.ErrorCode;
import io.wagateway.protocol.ProtocolException;
import io.wagateway.security.ClientIdentity;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The decisions of {@code send_message} that need no database: each refuses a send with the
 * {@link ProtocolException} its client sees, before anything is stored or Meta is called.
 */
final class SendChecks {

    private SendChecks() {
    }

    /** The recipient as digits: 6 to 15 of them (E.164 without the plus). */
    static String recipient(SendMessage send) {
        String to = Numbers.digits(send.to());
        if (to.length() < 6 || to.length() > 15) {
            throw ProtocolException.badRequest("to must be a phone number of 6 to 15 digits");
        }
        return to;
    }

    /**
     * The number a send goes from when it names no conversation: its {@code from}, which must be one
     * of the tenant's numbers ({@code not_found} otherwise, whether unknown or another tenant's, so
     * that nothing leaks), else the tenant's default number; null when the tenant has none.
     *
     * @param numbers the tenant's phoneNumberIds, the default first
     */
    static String sender(SendMessage send, List<String> numbers) {
        if (send.from() != null) {
            if (!numbers.contains(send.from())) {
                throw ProtocolException.notFound("WhatsApp number " + send.from());
            }
            return send.from();
        }
        return numbers.isEmpty() ? null : numbers.get(0);
    }

    /**
     * The conversation the send goes to: the one it names (of this tenant, with this customer, and,
     * when the send names a {@code from}, of that number), or the recipient's conversation with the
     * sending number ({@link #sender}).
     */
    static SendTarget target(SendMessage send, String to, List<String> numbers, Map<UUID, SendTarget> byId,
                             Map<SendStore.Recipient, SendTarget> byRecipient) {
        String from = sender(send, numbers);
        if (send.conversationId() == null) {
            SendTarget target = from == null ? null : byRecipient.get(new SendStore.Recipient(from, to));
            if (target == null) { // none found, none opened: the tenant has no number
                throw ProtocolException.notFound("WhatsApp number of this tenant");
            }
            return target;
        }
        SendTarget target = Ids.parse(send.conversationId()).map(byId::get).orElse(null);
        if (target == null) {
            throw ProtocolException.notFound("conversation");
        }
        if (!to.equals(target.waId())) {
            throw ProtocolException.badRequest("to is not the customer of this conversation");
        }
        // a conversation is one contact with one number: it cannot move to another number
        if (send.from() != null && !send.from().equals(target.phoneNumberId())) {
            throw ProtocolException.badRequest("from is not the number of this conversation ("
                    + target.phoneNumberId() + ")");
        }
        return target;
    }

    /** Outside the 24-hour customer service window only a template may be sent. */
    static void window(SendMessage send, SendTarget target, Instant now) {
        if (!"template".equals(type(send)) && !ViewMapper.windowOpen(target.lastInboundAt(), now)) {
            throw new ProtocolException(ErrorCode.OUTSIDE_WINDOW,
                    "the customer has not written in the last 24 hours: only templates can be sent");
        }
    }

    /** A reference ({@code replyTo}, {@code reaction.messageId}) that named no message of the conversation. */
    static ProtocolException unknownReference(String field) {
        return ProtocolException.badRequest(field + " is not a sent or received message of this conversation");
    }

    static String type(SendMessage send) {
        return send.type() == null ? "text" : send.type();
    }

    /** The message a reaction reacts to, or null. */
    static String reactionTarget(SendMessage send) {
        if (!"reaction".equals(send.type()) || send.reaction() == null) {
            return null;
        }
        return send.reaction().path("messageId").asText(null);
    }

    /** The message as the batch inserts it, for its view. */
    static Message message(UUID id, ClientIdentity me, SendMessage send, SendTarget target,
                           GraphPayloads.Prepared prepared, String replyWamid, Instant now) {
        Message m = new Message();
        m.id = id;
        m.tenantId = me.tenant();
        m.conversationId = target.conversationId();
        m.direction = "outbound";
        m.type = prepared.type();
        m.content = prepared.content();
        m.media = prepared.media();
        m.template = prepared.template();
        m.reaction = prepared.reaction();
        m.location = prepared.location();
        m.replyTo = replyWamid;
        m.clientMessageId = send.clientMessageId();
        m.status = "pending";
        m.sentBy = me.userId();
        m.timestamp = now.truncatedTo(ChronoUnit.MICROS); // what PostgreSQL keeps
        return m;
    }
}
