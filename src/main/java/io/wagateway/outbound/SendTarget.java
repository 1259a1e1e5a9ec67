package io.wagateway.outbound;

import io.vertx.mutiny.sqlclient.Row;
import io.wagateway.conversation.Contact;
import io.wagateway.conversation.Conversation;
import io.wagateway.conversation.Message;
import io.wagateway.phonenumber.PhoneNumber;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * A conversation as a send needs it: for the checks, the outbox row and the views. Read (and
 * locked) by {@link SendStore}; {@code now} is the transaction's time, which the batch's update
 * writes as the conversation's {@code updated_at}.
 */
record SendTarget(UUID conversationId, UUID contactId, String waId, String name, String assignee, String status,
                  int unread, Instant lastInboundAt, Instant updatedAt, UUID numberId, String phoneNumberId,
                  String displayPhoneNumber, String accessToken, Instant now) {

    /** The columns {@link #of} reads, then {@code from} the joined tables: a where clause can follow. */
    static final String COLUMNS = """
            c.id, c.contact_id, ct.wa_id, ct.name, c.assignee_id, c.status, c.unread_count, c.last_inbound_at,
            c.updated_at, p.id, p.phone_number_id, p.display_phone_number, p.access_token, now()
              from conversation c join contact ct on ct.id = c.contact_id join phone_number p on p.id = c.phone_number_id
            """;

    static SendTarget of(Row row) {
        return new SendTarget(row.getUUID(0), row.getUUID(1), row.getString(2), row.getString(3), row.getString(4),
                row.getString(5), row.getInteger(6), instant(row.getOffsetDateTime(7)),
                instant(row.getOffsetDateTime(8)), row.getUUID(9), row.getString(10), row.getString(11),
                row.getString(12), instant(row.getOffsetDateTime(13)));
    }

    /** The conversation after the batch's update, with {@code last} as its last message: what its view needs. */
    Conversation after(Message last) {
        Contact contact = new Contact();
        contact.id = contactId;
        contact.waId = waId;
        contact.name = name;
        PhoneNumber number = new PhoneNumber();
        number.id = numberId;
        number.phoneNumberId = phoneNumberId;
        number.displayPhoneNumber = displayPhoneNumber;
        Conversation c = new Conversation();
        c.id = conversationId;
        c.tenantId = last.tenantId;
        c.contact = contact;
        c.phoneNumber = number;
        c.assigneeId = assignee;
        c.status = status;
        c.unreadCount = unread;
        c.lastInboundAt = lastInboundAt;
        c.updatedAt = now;
        c.lastMessage = last;
        return c;
    }

    private static Instant instant(OffsetDateTime value) {
        return value == null ? null : value.toInstant();
    }
}
