package io.wagateway.conversation;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.wagateway.config.AppConfig;
import io.wagateway.config.CombinedWrite;
import io.wagateway.config.JsonText;
import io.wagateway.media.InboundMedia;
import io.wagateway.phonenumber.Numbers;
import io.wagateway.phonenumber.PhoneNumber;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

/**
 * The SQL of a customer's message, inside the caller's transaction: two statements per message,
 * one that upserts the contact and the conversation and inserts the message, one that moves the
 * conversation (and, when the message opened it, assigns it).
 */
@ApplicationScoped
public class InboundStore {

    /** The contact, the conversation and whether the message was new (false: a redelivery). */
    public record Inserted(UUID contactId, String waId, String contactName, UUID conversationId,
                           boolean conversationCreated, boolean messageInserted) {}

    /** The conversation after the message, as the update returned it. */
    public record Moved(String assignee, boolean assignedNow, String status, int unreadCount, UUID lastMessageId,
                        OffsetDateTime lastInboundAt, OffsetDateTime updatedAt) {}

    private final ObjectMapper json;
    private final boolean autoAssignment;
    private final double presenceExpirySeconds;

    public InboundStore(ObjectMapper json, AppConfig config) {
        this.json = json;
        this.autoAssignment = config.assignment().auto();
        this.presenceExpirySeconds = Math.max(1, config.presence().expiry().toSeconds());
    }

    public Uni<PhoneNumber> number(SqlConnection connection, String phoneNumberId) {
        return connection.preparedQuery("""
                        select id, tenant_id, phone_number_id, display_phone_number from phone_number
                         where phone_number_id = $1""")
                .execute(Tuple.of(phoneNumberId))
                .map(rows -> {
                    if (rows.size() == 0) {
                        return null;
                    }
                    Row row = rows.iterator().next();
                    PhoneNumber number = new PhoneNumber();
                    number.id = row.getUUID(0);
                    number.tenantId = row.getString(1);
                    number.phoneNumberId = row.getString(2);
                    number.displayPhoneNumber = row.getString(3);
                    return number;
                });
    }

    /**
     * Upserts the customer (profile name, time of their latest message) and the conversation, and
     * inserts the message unless its WhatsApp id is stored already. Upserts, so that concurrent first
     * messages of one customer meet on the unique keys instead of failing; the conversation's
     * {@code do update} returns (and locks) an existing row, and {@code xmax = 0} tells a new one.
     */
    public Uni<Inserted> insert(SqlConnection connection, PhoneNumber number, UUID messageId, InboundMessage m,
                                InboundMedia media) {
        CombinedWrite write = new CombinedWrite()
                .part("contact_row", """
                                insert into contact (id, tenant_id, wa_id, name, last_message_at)
                                values ($1, $2, $3, $4, $5)
                                on conflict (tenant_id, wa_id) do update
                                   set name = coalesce(excluded.name, contact.name),
                                       last_message_at = greatest(contact.last_message_at, excluded.last_message_at),
                                       updated_at = now()
                                returning id, name""",
                        UUID.randomUUID(), number.tenantId, Numbers.digits(m.fromWaId()), m.profileName(),
                        at(m))
                // a new conversation's place in get_conversations is its first message's time, not the time it
                // was stored: a backlog Meta delivers late keeps message order (PROTOCOL.md 6.2); move() keeps
                // the newest message's time from then on
                .part("conversation_row", """
                                insert into conversation (id, tenant_id, contact_id, phone_number_id, last_activity_at)
                                select $1, $2, contact_row.id, $3, $4 from contact_row
                                on conflict (contact_id, phone_number_id) do update set tenant_id = excluded.tenant_id
                                returning id, xmax = 0 as created""",
                        UUID.randomUUID(), number.tenantId, number.id, at(m))
                .part("message_row", """
                                insert into message (id, tenant_id, conversation_id, direction, type, content, media,
                                                     reaction, location, extra, reply_to, wa_message_id, status, error, ts)
                                select $1, $2, conversation_row.id, 'inbound', $3, $4, cast($5::text as jsonb), cast($6::text as jsonb),
                                       cast($7::text as jsonb), cast($8::text as jsonb), $9, $10, 'received', cast($11::text as jsonb), $12
                                  from conversation_row
                                on conflict (wa_message_id) do nothing
                                returning id""",
                        messageId, number.tenantId, m.type(), m.content(), JsonText.of(json, m.media()),
                        JsonText.of(json, m.reaction()), JsonText.of(json, m.location()), JsonText.of(json, m.extra()),
                        m.replyTo(), m.waMessageId(), JsonText.of(json, m.error()), at(m));
        if (media != null) {
            // the download job's row, only for a message that is new (a redelivery inserts no message)
            write.part("media_row", """
                            insert into media (id, tenant_id, direction, message_id, phone_number_id, meta_media_id,
                                               meta_sha256, mime_type, filename, status)
                            select $1, $2, 'inbound', message_row.id, $3, $4, $5, $6, $7, 'pending' from message_row
                            returning id""",
                    media.id(), number.tenantId, number.id, media.metaMediaId(), media.metaSha256(), media.mimeType(),
                    media.filename());
        }
        return write.execute(connection, """
                        select contact_row.id, contact_row.name, conversation_row.id, conversation_row.created,
                               exists (select 1 from message_row)
                          from contact_row, conversation_row""")
                .map(rows -> {
                    Row row = rows.iterator().next();
                    return new Inserted(row.getUUID(0), Numbers.digits(m.fromWaId()), row.getString(1),
                            row.getUUID(2), row.getBoolean(3), row.getBoolean(4));
                });
    }

    /**
     * Moves the conversation: unread count (a late old message stays read), open (a customer's
     * message reopens a closed conversation, PROTOCOL.md 6.2, and its conversation_updated says so),
     * the window, and the last message unless a newer one is there. With {@code app.assignment.auto}, a
     * conversation the message opened goes to the available, online agent assigned least recently
     * (round-robin); SKIP LOCKED keeps concurrent batches from handing two conversations to the
     * same agent at once.
     */
    public Uni<Moved> move(SqlConnection connection, Inserted inserted, UUID messageId, InboundMessage m) {
        return connection.preparedQuery("""
                        with pick as (
                            select a.tenant_id, a.id from agent a
                             where $4 and a.tenant_id = (select tenant_id from conversation where id = $3)
                               and a.status = 'available' and a.active
                               and exists (select 1 from presence p join instance i on i.id = p.instance_id
                                            where p.tenant_id = a.tenant_id and p.user_id = a.id
                                              and i.heartbeat_at > now() - make_interval(secs => $5))
                             order by a.last_assigned_at nulls first, a.id
                             limit 1 for update of a skip locked),
                        chosen as (update agent a set last_assigned_at = now() from pick
                                    where a.tenant_id = pick.tenant_id and a.id = pick.id returning a.id)
                        update conversation
                           set unread_count = unread_count + case when read_up_to_ts is null
                                   or $1 >= read_up_to_ts then 1 else 0 end,
                               status = 'open', updated_at = now(),
                               last_inbound_at = greatest(last_inbound_at, $1),
                               last_activity_at = greatest(last_activity_at, $1),
                               last_message_id = case when last_message_id is null
                                   or $1 >= (select ts from message where id = conversation.last_message_id)
                                   then $2 else last_message_id end,
                               assignee_id = coalesce((select id from chosen), assignee_id)
                         where id = $3
                        returning assignee_id, exists (select 1 from chosen), status, unread_count, last_message_id,
                                  last_inbound_at, updated_at""")
                .execute(Tuple.from(new Object[] {at(m), messageId, inserted.conversationId(),
                        autoAssignment && inserted.conversationCreated(), presenceExpirySeconds}))
                .map(rows -> {
                    Row row = rows.iterator().next();
                    return new Moved(row.getString(0), row.getBoolean(1), row.getString(2), row.getInteger(3),
                            row.getUUID(4), row.getOffsetDateTime(5), row.getOffsetDateTime(6));
                });
    }

    /** The message as just inserted, for its view. */
    public static Message message(String tenant, UUID conversationId, UUID messageId, InboundMessage m) {
        Message message = new Message();
        message.id = messageId;
        message.tenantId = tenant;
        message.conversationId = conversationId;
        message.direction = "inbound";
        message.type = m.type();
        message.content = m.content();
        message.media = m.media();
        message.reaction = m.reaction();
        message.location = m.location();
        message.extra = m.extra();
        message.replyTo = m.replyTo();
        message.waMessageId = m.waMessageId();
        message.status = "received";
        message.error = m.error();
        message.timestamp = m.timestamp();
        return message;
    }

    /** The conversation as the update left it, for its view (its last message is set by the caller). */
    public static Conversation conversation(PhoneNumber number, Inserted inserted, Moved moved) {
        Contact contact = new Contact();
        contact.id = inserted.contactId();
        contact.tenantId = number.tenantId;
        contact.waId = inserted.waId();
        contact.name = inserted.contactName();
        Conversation conversation = new Conversation();
        conversation.id = inserted.conversationId();
        conversation.tenantId = number.tenantId;
        conversation.contact = contact;
        conversation.phoneNumber = number;
        conversation.assigneeId = moved.assignee();
        conversation.status = moved.status();
        conversation.unreadCount = moved.unreadCount();
        conversation.lastInboundAt = ConversationRows.instant(moved.lastInboundAt());
        conversation.updatedAt = ConversationRows.instant(moved.updatedAt());
        return conversation;
    }

    private static OffsetDateTime at(InboundMessage m) {
        return m.timestamp().atOffset(ZoneOffset.UTC);
    }
}
