package io.wagateway.conversation;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.wagateway.config.AppConfig;
import io.wagateway.config.JsonText;
import io.wagateway.fanout.DurableEvent;
import io.wagateway.fanout.EventLog;
import io.wagateway.fanout.FanoutService;
import io.wagateway.fanout.GroupCommit;
import io.wagateway.metrics.GatewayMetrics;
import io.wagateway.fanout.NewEvent;
import io.wagateway.phonenumber.Numbers;
import io.wagateway.phonenumber.PhoneNumber;
import io.wagateway.phonenumber.PhoneNumberRepository;
import jakarta.enterprise.context.ApplicationScoped;
import io.vertx.core.Vertx;
import org.hibernate.reactive.mutiny.Mutiny;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Stores a customer's message: upserts the contact and the conversation, inserts the message
 * (unique on the WhatsApp message id, so a redelivery changes nothing), moves the unread count
 * and the window, and appends {@code new_message} and {@code conversation_updated}, all in one
 * transaction. The events are pushed after commit.
 */
@ApplicationScoped
public class InboundMessageService {

    public enum Outcome { STORED, DUPLICATE, UNKNOWN_NUMBER }

    public record Result(Outcome outcome, UUID messageId, UUID conversationId, List<DurableEvent> events) {
    }

    private final PhoneNumberRepository numbers;
    private final EventLog eventLog;
    private final ConversationEvents conversationEvents;
    private final ObjectMapper json;
    private final ConversationStore store;
    private final boolean autoAssignment;
    private final long presenceExpirySeconds;
    private final GroupCommit<InboundMessage, Result> batches;
    private static final int MAX_BATCH = 50;

    public InboundMessageService(PhoneNumberRepository numbers, EventLog eventLog, FanoutService publisher,
                                 ConversationEvents conversationEvents, ObjectMapper json, AppConfig config,
                                 ConversationStore store, Vertx vertx, GatewayMetrics metrics) {
        this.store = store;
        this.autoAssignment = config.assignment().auto();
        this.presenceExpirySeconds = Math.max(1, config.presence().expiry().toSeconds());
        this.numbers = numbers;
        this.eventLog = eventLog;
        this.conversationEvents = conversationEvents;
        this.json = json;
        this.batches = new GroupCommit<>(vertx, MAX_BATCH, this::storeTogether, publisher::publishCommitted,
                size -> metrics.groupCommit("inbound", size));
    }

    /**
     * Stores the message and pushes its events after commit. Concurrent messages to the same number
     * are stored together, one transaction per batch, one batch at a time (see {@link GroupCommit}
     * for why one lane beats several), so a customer's messages also stay in order.
     */
    public Uni<Result> record(InboundMessage message) {
        return batches.submit(message.phoneNumberId(), message);
    }

    /** One transaction: every message stored, then all their events appended with one seq update. */
    private Uni<GroupCommit.Outcome> storeTogether(List<InboundMessage> batch) {
        return Panache.withTransaction(() -> numbers.findByMetaId(batch.get(0).phoneNumberId())
                .chain(number -> {
                    List<Stored> stored = new java.util.ArrayList<>();
                    Uni<Void> chain = Uni.createFrom().voidItem();
                    for (InboundMessage message : batch) {
                        chain = chain.chain(() -> (number == null ? Uni.createFrom().item(Stored.of(Outcome.UNKNOWN_NUMBER))
                                : Panache.getSession().chain(session -> store(session, number, message)))
                                .invoke(stored::add).replaceWithVoid());
                    }
                    return chain.chain(() -> appendAll(number, stored));
                }));
    }

    /** What storing one message produced, before its events have a seq. */
    private record Stored(Outcome outcome, UUID messageId, UUID conversationId, List<NewEvent> events) {
        static Stored of(Outcome outcome) {
            return new Stored(outcome, null, null, List.of());
        }
    }

    private Uni<GroupCommit.Outcome> appendAll(PhoneNumber number, List<Stored> stored) {
        List<NewEvent> all = stored.stream().flatMap(s -> s.events().stream()).toList();
        Uni<List<DurableEvent>> appended = all.isEmpty() ? Uni.createFrom().item(List.of())
                : eventLog.append(number.tenantId, all);
        return appended.map(events -> {
            List<Object> results = new java.util.ArrayList<>(stored.size());
            int next = 0;
            for (Stored s : stored) {
                results.add(new Result(s.outcome(), s.messageId(), s.conversationId(),
                        events.subList(next, next + s.events().size())));
                next += s.events().size();
            }
            return new GroupCommit.Outcome(results, events);
        });
    }

    private Uni<Stored> store(Mutiny.Session session, PhoneNumber number, InboundMessage m) {
        String waId = Numbers.digits(m.fromWaId());
        UUID messageId = UUID.randomUUID();
        return upsertContact(session, number.tenantId, waId, m)
                .chain(contact -> store.upsertConversation(number, contact.id)
                        .chain(opened -> insertMessage(session, number.tenantId, opened.id(), messageId, m)
                                .chain(inserted -> inserted == 0
                                        ? Uni.createFrom().item(Stored.of(Outcome.DUPLICATE))
                                        : autoAssign(session, number.tenantId, opened)
                                        .chain(assignee -> afterInsert(session, number, contact, opened.id(), messageId,
                                                m, assignee)))));
    }

    /** The customer, upserted with their profile name and the time of this message; returned for the views. */
    private static Uni<Contact> upsertContact(Mutiny.Session session, String tenant, String waId, InboundMessage m) {
        return session.createNativeQuery("""
                        insert into contact (id, tenant_id, wa_id, name, last_message_at)
                        values (:id, :tenant, :waId, :name, :ts)
                        on conflict (tenant_id, wa_id) do update
                           set name = coalesce(excluded.name, contact.name),
                               last_message_at = greatest(contact.last_message_at, excluded.last_message_at),
                               updated_at = now()
                        returning id, name""", Object[].class)
                .setParameter("id", UUID.randomUUID())
                .setParameter("tenant", tenant)
                .setParameter("waId", waId)
                .setParameter("name", m.profileName())
                .setParameter("ts", m.timestamp())
                .getSingleResult()
                .map(row -> {
                    Contact contact = new Contact();
                    contact.id = (UUID) row[0];
                    contact.tenantId = tenant;
                    contact.waId = waId;
                    contact.name = (String) row[1];
                    return contact;
                });
    }

    /**
     * Moves the conversation (unread count, window, last message) and builds both events' payloads
     * from what this transaction already knows: the updated row comes back from the UPDATE, the
     * message is the one just inserted. Only a late message that is not the newest needs a read.
     */
    /**
     * With {@code app.assignment.auto}, a conversation this message opened goes to the available,
     * online agent who was assigned least recently (round-robin). SKIP LOCKED keeps concurrent
     * batches from handing two conversations to the same agent at once. Null: not assigned.
     */
    private Uni<String> autoAssign(Mutiny.Session session, String tenant, ConversationStore.Opened opened) {
        if (!autoAssignment || !opened.created()) {
            return Uni.createFrom().nullItem();
        }
        return session.createNativeQuery("""
                        with pick as (
                            select a.tenant_id, a.id from agent a
                             where a.tenant_id = :tenant and a.status = 'available'
                               and exists (select 1 from presence p join instance i on i.id = p.instance_id
                                            where p.tenant_id = a.tenant_id and p.user_id = a.id
                                              and i.heartbeat_at > now() - make_interval(secs => :expiry))
                             order by a.last_assigned_at nulls first, a.id
                             limit 1 for update of a skip locked),
                        chosen as (update agent a set last_assigned_at = now() from pick
                                    where a.tenant_id = pick.tenant_id and a.id = pick.id returning a.id)
                        update conversation set assignee_id = (select id from chosen)
                         where id = :conversation and exists (select 1 from chosen)
                        returning assignee_id""", String.class)
                .setParameter("tenant", tenant)
                .setParameter("expiry", (double) presenceExpirySeconds)
                .setParameter("conversation", opened.id())
                .getResultList()
                .map(rows -> rows.isEmpty() ? null : rows.get(0));
    }

    private Uni<Stored> afterInsert(Mutiny.Session session, PhoneNumber number, Contact contact, UUID conversationId,
                                    UUID messageId, InboundMessage m, String autoAssignee) {
        Message message = inserted(number.tenantId, conversationId, messageId, m);
        return session.createNativeQuery("""
                        update conversation
                           set unread_count = unread_count + case when read_up_to_ts is null
                                   or :ts >= read_up_to_ts then 1 else 0 end, -- a late old message stays read
                               status = 'open', updated_at = now(),
                               last_inbound_at = greatest(last_inbound_at, :ts),
                               last_activity_at = greatest(last_activity_at, :ts),
                               last_message_id = case when last_message_id is null
                                   or :ts >= (select ts from message where id = conversation.last_message_id)
                                   then :message else last_message_id end
                         where id = :conversation
                        returning assignee_id, status, unread_count, last_message_id, last_inbound_at, updated_at""",
                        Object[].class)
                .setParameter("ts", m.timestamp())
                .setParameter("message", messageId)
                .setParameter("conversation", conversationId)
                .getSingleResult()
                .chain(row -> {
                    Conversation conversation = new Conversation();
                    conversation.id = conversationId;
                    conversation.tenantId = number.tenantId;
                    conversation.contact = contact;
                    conversation.phoneNumber = number;
                    conversation.assigneeId = (String) row[0];
                    conversation.status = (String) row[1];
                    conversation.unreadCount = ((Number) row[2]).intValue();
                    conversation.lastInboundAt = instant(row[4]);
                    conversation.updatedAt = instant(row[5]);
                    UUID lastMessageId = (UUID) row[3];
                    Uni<Message> last = messageId.equals(lastMessageId) ? Uni.createFrom().item(message)
                            : Message.findById(lastMessageId);
                    return last.map(lastMessage -> {
                        conversation.lastMessage = lastMessage;
                        List<NewEvent> events = new java.util.ArrayList<>(List.of(
                                conversationEvents.newMessage(message, conversation),
                                conversationEvents.updated(conversation)));
                        if (autoAssignee != null) {
                            Map<String, Object> assigned = new java.util.LinkedHashMap<>();
                            assigned.put("conversationId", conversationId.toString());
                            assigned.put("customerInfo", new io.wagateway.protocol.Views.ContactRef(contact.id.toString(),
                                    contact.waId, contact.name));
                            assigned.put("assignedBy", "auto");
                            assigned.put("timestamp", java.time.Instant.now().toString());
                            events.add(new NewEvent("chat_assigned", io.wagateway.fanout.Audience.USER, conversationId,
                                    contact.id, autoAssignee, assigned));
                        }
                        return new Stored(Outcome.STORED, messageId, conversationId, events);
                    });
                });
    }

    /** The message as just inserted, for its view (not a managed entity). */
    private static Message inserted(String tenant, UUID conversationId, UUID messageId, InboundMessage m) {
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

    private static java.time.Instant instant(Object value) {
        if (value instanceof java.time.Instant i) {
            return i;
        }
        if (value instanceof java.time.OffsetDateTime o) {
            return o.toInstant();
        }
        if (value instanceof java.time.LocalDateTime l) {
            return l.toInstant(java.time.ZoneOffset.UTC);
        }
        return value == null ? null : java.time.Instant.parse(value.toString());
    }

    private Uni<Integer> insertMessage(Mutiny.Session session, String tenant, UUID conversationId, UUID messageId,
                                       InboundMessage m) {
        return session.createNativeQuery("""
                        insert into message (id, tenant_id, conversation_id, direction, type, content, media, reaction,
                                             location, extra, reply_to, wa_message_id, status, error, ts)
                        values (:id, :tenant, :conversation, 'inbound', :type, :content, cast(cast(:media as text) as jsonb),
                                cast(cast(:reaction as text) as jsonb), cast(cast(:location as text) as jsonb), cast(cast(:extra as text) as jsonb), :replyTo,
                                :wamid, 'received', cast(cast(:error as text) as jsonb), :ts)
                        on conflict (wa_message_id) do nothing""")
                .setParameter("id", messageId)
                .setParameter("tenant", tenant)
                .setParameter("conversation", conversationId)
                .setParameter("type", m.type())
                .setParameter("content", m.content())
                .setParameter("media", JsonText.of(json, m.media()))
                .setParameter("reaction", JsonText.of(json, m.reaction()))
                .setParameter("location", JsonText.of(json, m.location()))
                .setParameter("extra", JsonText.of(json, m.extra()))
                .setParameter("replyTo", m.replyTo())
                .setParameter("wamid", m.waMessageId())
                .setParameter("error", JsonText.of(json, m.error()))
                .setParameter("ts", m.timestamp())
                .executeUpdate();
    }

}
