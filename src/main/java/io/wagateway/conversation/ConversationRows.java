package io.wagateway.conversation;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.wagateway.phonenumber.PhoneNumber;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.io.IOException;
import java.util.List;

/**
 * Reads conversations and messages on a write path's own connection (the Vert.x SQL client, inside
 * its transaction) into the model the views are built from, so that {@link ViewMapper} stays the
 * one place that shapes a view. The objects are plain carriers, not managed entities.
 */
@ApplicationScoped
public class ConversationRows {

    /** A message's columns as {@link #message} reads them; {@code m} is the message table. */
    public static final String MESSAGE_COLUMNS = """
            m.id, m.tenant_id, m.conversation_id, m.pos, m.direction, m.type, m.content, m.media::text, m.template::text,
            m.reaction::text, m.location::text, m.extra::text, m.reply_to, m.wa_message_id, m.client_message_id,
            m.status, m.error::text, m.sent_by, m.ts""";
    private static final int MESSAGE_WIDTH = 19;

    private static final String CONVERSATIONS = """
            select c.id, c.tenant_id, c.assignee_id, c.status, c.unread_count, c.last_inbound_at, c.updated_at,
                   ct.id, ct.wa_id, ct.name, p.id, p.phone_number_id, p.display_phone_number, p.access_token,
            """ + MESSAGE_COLUMNS + """

              from conversation c join contact ct on ct.id = c.contact_id join phone_number p on p.id = c.phone_number_id
              left join message m on m.id = c.last_message_id
             where c.id = any($1)""";

    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {};

    private final ObjectMapper json;

    public ConversationRows(ObjectMapper json) {
        this.json = json;
    }

    /** The conversations as the transaction sees them now, with contact, number and last message. */
    public Uni<Map<UUID, Conversation>> load(SqlConnection connection, Collection<UUID> ids) {
        return connection.preparedQuery(CONVERSATIONS).execute(Tuple.of(ids.toArray(UUID[]::new)))
                .map(rows -> {
                    Map<UUID, Conversation> found = new HashMap<>();
                    rows.forEach(row -> {
                        Conversation c = conversation(row);
                        found.put(c.id, c);
                    });
                    return found;
                });
    }

    /** One message by id, as the transaction sees it now; null when there is none. */
    public Uni<Message> message(SqlConnection connection, UUID id) {
        return connection.preparedQuery("select " + MESSAGE_COLUMNS + " from message m where m.id = $1")
                .execute(Tuple.of(id))
                .map(rows -> rows.size() == 0 ? null : message(rows.iterator().next(), 0));
    }

    public Uni<Conversation> load(SqlConnection connection, UUID id) {
        return load(connection, List.of(id)).map(found -> found.get(id));
    }

    private Conversation conversation(Row row) {
        Conversation c = new Conversation();
        c.id = row.getUUID(0);
        c.tenantId = row.getString(1);
        c.assigneeId = row.getString(2);
        c.status = row.getString(3);
        c.unreadCount = row.getInteger(4);
        c.lastInboundAt = instant(row.getOffsetDateTime(5));
        c.updatedAt = instant(row.getOffsetDateTime(6));
        Contact contact = new Contact();
        contact.id = row.getUUID(7);
        contact.tenantId = c.tenantId;
        contact.waId = row.getString(8);
        contact.name = row.getString(9);
        c.contact = contact;
        PhoneNumber number = new PhoneNumber();
        number.id = row.getUUID(10);
        number.tenantId = c.tenantId;
        number.phoneNumberId = row.getString(11);
        number.displayPhoneNumber = row.getString(12);
        number.accessToken = row.getString(13);
        c.phoneNumber = number;
        c.lastMessage = row.getUUID(14) == null ? null : message(row, 14);
        return c;
    }

    /** The message whose {@link #MESSAGE_COLUMNS} start at column {@code from}. */
    public Message message(Row row, int from) {
        Message m = new Message();
        m.id = row.getUUID(from);
        m.tenantId = row.getString(from + 1);
        m.conversationId = row.getUUID(from + 2);
        m.pos = row.getLong(from + 3);
        m.direction = row.getString(from + 4);
        m.type = row.getString(from + 5);
        m.content = row.getString(from + 6);
        m.media = object(row.getString(from + 7));
        m.template = object(row.getString(from + 8));
        m.reaction = object(row.getString(from + 9));
        m.location = object(row.getString(from + 10));
        m.extra = object(row.getString(from + 11));
        m.replyTo = row.getString(from + 12);
        m.waMessageId = row.getString(from + 13);
        m.clientMessageId = row.getString(from + 14);
        m.status = row.getString(from + 15);
        m.error = object(row.getString(from + 16));
        m.sentBy = row.getString(from + 17);
        m.timestamp = instant(row.getOffsetDateTime(from + MESSAGE_WIDTH - 1));
        return m;
    }

    private Map<String, Object> object(String text) {
        if (text == null) {
            return null;
        }
        try {
            return json.readValue(text, OBJECT);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Instant instant(OffsetDateTime value) {
        return value == null ? null : value.toInstant();
    }
}
