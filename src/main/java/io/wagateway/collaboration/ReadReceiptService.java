package io.wagateway.collaboration;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.wagateway.config.AppConfig;
import io.wagateway.conversation.Conversation;
import io.wagateway.conversation.ConversationEvents;
import io.wagateway.conversation.ConversationRows;
import io.wagateway.conversation.Ids;
import io.wagateway.fanout.DurableEvent;
import io.wagateway.fanout.EventLog;
import io.wagateway.fanout.FanoutService;
import io.wagateway.outbound.OutboxJob;
import io.wagateway.outbound.OutboxSender;
import io.wagateway.outbound.OutboxStore;
import io.wagateway.protocol.ProtocolException;
import io.wagateway.security.ClientIdentity;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * {@code message_read}: the conversation is read up to a message. Its unread count becomes the
 * number of inbound messages after that message (zero when it is the newest), computed under the
 * conversation's row lock so that a concurrent inbound message is never lost from the count; a
 * read never moves backwards. The room gets a durable {@code message_read_receipt}, the
 * conversation's audience {@code conversation_updated}, and WhatsApp the read mark, through the outbox.
 */
@ApplicationScoped
public class ReadReceiptService {

    /** Meta's typing indicator lasts 25 s: shown again at most this often per conversation. */
    private static final Duration TYPING_INDICATOR_EVERY = Duration.ofSeconds(20);

    private final Pool pool;
    private final CollaborationStore store;
    private final ConversationRows rows;
    private final EventLog eventLog;
    private final ConversationEvents events;
    private final FanoutService fanout;
    private final OutboxStore outbox;
    private final OutboxSender sender;
    private final ObjectMapper json;
    private final boolean customerTypingIndicator;
    private final ConcurrentMap<UUID, Long> typingShown = new ConcurrentHashMap<>();

    public ReadReceiptService(Pool pool, CollaborationStore store, ConversationRows rows, EventLog eventLog,
                              ConversationEvents events, FanoutService fanout, OutboxStore outbox,
                              OutboxSender sender, ObjectMapper json, AppConfig config) {
        this.pool = pool;
        this.store = store;
        this.rows = rows;
        this.eventLog = eventLog;
        this.events = events;
        this.fanout = fanout;
        this.outbox = outbox;
        this.sender = sender;
        this.json = json;
        this.customerTypingIndicator = config.whatsapp().customerTypingIndicator()
                .orElse(config.whatsapp().mode() == AppConfig.WhatsApp.Mode.cloud);
    }

    private record Done(List<DurableEvent> events, OutboxJob job) {
        static final Done NOTHING = new Done(List.of(), null);
    }

    public Uni<Void> markRead(ClientIdentity me, String conversationId, String messageId) {
        UUID conversation = Ids.parse(conversationId).orElse(null);
        if (conversation == null) {
            return Uni.createFrom().failure(ProtocolException.notFound("conversation"));
        }
        UUID message = Ids.parse(messageId).orElse(null);
        return pool.withTransaction(connection -> Uni.combine().all()
                        .unis(store.lock(connection, me.tenant(), conversation),
                                message == null ? Uni.createFrom().nullItem()
                                        : store.message(connection, conversation, message))
                        .asTuple() // pipelined: one round trip
                        .chain(found -> {
                            if (found.getItem1() == null) {
                                throw ProtocolException.notFound("conversation");
                            }
                            if (found.getItem2() == null) {
                                throw ProtocolException.notFound("message");
                            }
                            return read(connection, me, found.getItem1(), found.getItem2());
                        }))
                .invoke(done -> {
                    fanout.publishCommitted(done.events());
                    sender.dispatch(done.job());
                })
                .replaceWithVoid();
    }

    private Uni<Done> read(SqlConnection connection, ClientIdentity me, CollaborationStore.Locked conversation,
                           CollaborationStore.MessageRef message) {
        return store.markRead(connection, conversation.id(), message).chain(moved -> !moved
                ? Uni.createFrom().item(Done.NOTHING)
                : Uni.combine().all().unis(store.latestInbound(connection, conversation.id(), message),
                                rows.load(connection, conversation.id()))
                        .asTuple()
                        .chain(found -> Uni.combine().all().unis(markAtWhatsApp(connection, found.getItem2(),
                                        found.getItem1()),
                                eventLog.append(connection, me.tenant(), List.of(
                                        events.readReceipt(message.id(), conversation.id(), conversation.contactId(),
                                                me.userId(), Instant.now()),
                                        events.updated(found.getItem2()))))
                                .with((job, appended) -> new Done(appended, job))));
    }

    /**
     * Meta's typing indicator for the customer (it also marks their last message read), through the
     * outbox; at most once per {@link #TYPING_INDICATOR_EVERY} per conversation.
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
        return pool.withTransaction(connection -> store.latestInbound(connection, conversation.id, null)
                        .chain(wamid -> {
                            if (wamid == null) {
                                return Uni.createFrom().<OutboxJob>nullItem();
                            }
                            ObjectNode payload = readMark(wamid);
                            payload.putObject("typing_indicator").put("type", "text");
                            return outbox.enqueue(connection, conversation.tenantId, readRow(conversation, payload));
                        }))
                .invoke(sender::dispatch)
                .replaceWithVoid();
    }

    private Uni<OutboxJob> markAtWhatsApp(SqlConnection connection, Conversation conversation, String wamid) {
        if (wamid == null) {
            return Uni.createFrom().nullItem();
        }
        return outbox.enqueue(connection, conversation.tenantId, readRow(conversation, readMark(wamid)));
    }

    private ObjectNode readMark(String wamid) {
        return json.createObjectNode().put("messaging_product", "whatsapp").put("status", "read")
                .put("message_id", wamid);
    }

    private static OutboxStore.NewRow readRow(Conversation conversation, ObjectNode payload) {
        return new OutboxStore.NewRow(conversation.phoneNumber.id, conversation.phoneNumber.phoneNumberId,
                conversation.phoneNumber.accessToken, null, "read", conversation.contact.waId, payload);
    }
}
