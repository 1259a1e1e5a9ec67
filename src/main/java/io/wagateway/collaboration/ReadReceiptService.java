package io.wagateway.collaboration;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.wagateway.conversation.Conversation;
import io.wagateway.conversation.ConversationQueries;
import io.wagateway.conversation.ConversationStore;
import io.wagateway.conversation.Ids;
import io.wagateway.conversation.Message;
import io.wagateway.conversation.ViewMapper;
import io.wagateway.fanout.Audience;
import io.wagateway.fanout.DurableEvent;
import io.wagateway.fanout.EventLog;
import io.wagateway.fanout.FanoutService;
import io.wagateway.fanout.NewEvent;
import io.wagateway.outbound.Outbox;
import io.wagateway.outbound.OutboxSender;
import io.wagateway.protocol.ProtocolException;
import io.wagateway.security.ClientIdentity;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@code message_read}: the conversation is read up to a message. Its unread count becomes the
 * number of inbound messages after that message (zero when it is the newest), computed under the
 * conversation's row lock so that a concurrent inbound message is never lost from the count; a
 * read never moves backwards. The room gets a durable {@code message_read_receipt}, the tenant
 * {@code conversation_updated}, and WhatsApp the read mark, through the outbox.
 */
@ApplicationScoped
public class ReadReceiptService {

    private final ConversationQueries queries;
    private final ConversationStore store;
    private final EventLog eventLog;
    private final FanoutService fanout;
    private final ViewMapper views;
    private final Outbox outbox;
    private final OutboxSender sender;
    private final ObjectMapper json;

    public ReadReceiptService(ConversationQueries queries, ConversationStore store, EventLog eventLog,
                              FanoutService fanout, ViewMapper views, Outbox outbox, OutboxSender sender,
                              ObjectMapper json, io.wagateway.config.AppConfig config) {
        this.customerTypingIndicator = config.whatsapp().customerTypingIndicator()
                .orElse(config.whatsapp().mode() == io.wagateway.config.AppConfig.WhatsApp.Mode.cloud);
        this.queries = queries;
        this.store = store;
        this.eventLog = eventLog;
        this.fanout = fanout;
        this.views = views;
        this.outbox = outbox;
        this.sender = sender;
        this.json = json;
    }

    private static final java.time.Duration TYPING_INDICATOR_EVERY = java.time.Duration.ofSeconds(20);
    private final java.util.concurrent.ConcurrentMap<UUID, Long> typingShown = new java.util.concurrent.ConcurrentHashMap<>();
    private final boolean customerTypingIndicator;

    private record Done(List<DurableEvent> events, OutboxSender.Job job) {}

    public Uni<Void> markRead(ClientIdentity me, String conversationId, String messageId) {
        return Panache.withTransaction(() -> queries.conversation(me.tenant(), conversationId)
                        .chain(conversation -> message(conversation, messageId)
                                .chain(message -> read(me, conversation, message))))
                .invoke(done -> {
                    fanout.publishCommitted(done.events());
                    sender.dispatch(done.job());
                })
                .replaceWithVoid();
    }

    /**
     * Meta's typing indicator for the customer (it also marks their last message read), through the
     * outbox; at most once per {@link #TYPING_INDICATOR_EVERY} per conversation, since it lasts 25 s.
     */
    public Uni<Void> showTypingToCustomer(Conversation conversation) {
        if (!customerTypingIndicator) {
            return Uni.createFrom().voidItem();
        }
        long now = System.nanoTime();
        Long last = typingShown.get(conversation.id);
        if (last != null && now - last < TYPING_INDICATOR_EVERY.toNanos()) {
            return Uni.createFrom().voidItem();
        }
        typingShown.put(conversation.id, now);
        return Panache.withTransaction(() -> Message.<Message>find(
                        "conversationId = ?1 and direction = 'inbound' order by timestamp desc, pos desc", conversation.id)
                .firstResult()
                .chain(inbound -> {
                    if (inbound == null || inbound.waMessageId == null) {
                        return Uni.createFrom().<OutboxSender.Job>nullItem();
                    }
                    ObjectNode payload = json.createObjectNode().put("messaging_product", "whatsapp")
                            .put("status", "read").put("message_id", inbound.waMessageId);
                    payload.putObject("typing_indicator").put("type", "text");
                    return outbox.enqueue(conversation.tenantId, conversation.phoneNumber, null, "read",
                            conversation.contact.waId, payload);
                }))
                .invoke(sender::dispatch)
                .replaceWithVoid();
    }

    private Uni<Message> message(Conversation conversation, String messageId) {
        UUID id = Ids.parse(messageId).orElse(null);
        if (id == null) {
            return Uni.createFrom().failure(ProtocolException.notFound("message"));
        }
        return Message.<Message>find("id = ?1 and conversationId = ?2", id, conversation.id).firstResult()
                .onItem().ifNull().failWith(() -> ProtocolException.notFound("message"));
    }

    private Uni<Done> read(ClientIdentity me, Conversation conversation, Message message) {
        // Lock first, count after, in separate statements: under READ COMMITTED an UPDATE's subquery
        // keeps the snapshot from before it waited for the lock, and would miss the message of an
        // inbound transaction that held the row meanwhile.
        return Panache.getSession().chain(session -> session.createNativeQuery(
                        "select 1 from conversation where id = :conversation for update")
                .setParameter("conversation", conversation.id).getResultList()
                .chain(() -> session.createNativeQuery("""
                        update conversation c
                           set read_up_to_ts = :ts, read_up_to_pos = :pos, updated_at = now(),
                               unread_count = (select count(*) from message m
                                                where m.conversation_id = c.id and m.direction = 'inbound'
                                                  and (m.ts, m.pos) > (:ts, :pos))
                         where c.id = :conversation
                           and (c.read_up_to_ts is null or (c.read_up_to_ts, c.read_up_to_pos) < (:ts, :pos))""")
                .setParameter("ts", message.timestamp)
                .setParameter("pos", message.pos)
                .setParameter("conversation", conversation.id)
                .executeUpdate())
                .chain(updated -> updated == 0 ? Uni.createFrom().item(new Done(List.of(), null))
                        : latestInbound(conversation, message)
                        .chain(inbound -> markAtWhatsApp(conversation, inbound))
                        .chain(job -> events(me, conversation, message).map(events -> new Done(events, job)))));
    }

    /** The inbound message WhatsApp should mark read: this one, or the latest inbound before it. */
    private Uni<Message> latestInbound(Conversation conversation, Message upTo) {
        if (upTo.isInbound()) {
            return Uni.createFrom().item(upTo);
        }
        return Message.<Message>find("""
                        conversationId = ?1 and direction = 'inbound'
                        and (timestamp < ?2 or (timestamp = ?2 and pos < ?3)) order by timestamp desc, pos desc""",
                conversation.id, upTo.timestamp, upTo.pos).firstResult();
    }

    private Uni<OutboxSender.Job> markAtWhatsApp(Conversation conversation, Message inbound) {
        if (inbound == null || inbound.waMessageId == null) {
            return Uni.createFrom().nullItem();
        }
        ObjectNode payload = json.createObjectNode().put("messaging_product", "whatsapp").put("status", "read")
                .put("message_id", inbound.waMessageId);
        return outbox.enqueue(conversation.tenantId, conversation.phoneNumber, null, "read", conversation.contact.waId,
                payload);
    }

    private Uni<List<DurableEvent>> events(ClientIdentity me, Conversation conversation, Message message) {
        Map<String, Object> receipt = new LinkedHashMap<>();
        receipt.put("messageId", message.id.toString());
        receipt.put("conversationId", conversation.id.toString());
        receipt.put("readBy", me.userId());
        receipt.put("timestamp", Instant.now().toString());
        return store.withView(conversation.id).chain(fresh -> eventLog.append(conversation.tenantId, List.of(
                new NewEvent("message_read_receipt", Audience.CONVERSATION_ROOM, conversation.id,
                        conversation.contact.id, null, receipt),
                NewEvent.forTenant("conversation_updated", views.conversation(fresh)))));
    }
}
