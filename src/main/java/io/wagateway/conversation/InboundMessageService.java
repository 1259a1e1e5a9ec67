package io.wagateway.conversation;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.wagateway.config.CombinedWrite;
import io.wagateway.fanout.DurableEvent;
import io.wagateway.fanout.EventLog;
import io.wagateway.fanout.FanoutService;
import io.wagateway.fanout.GroupCommit;
import io.wagateway.fanout.NewEvent;
import io.wagateway.media.InboundMedia;
import io.wagateway.media.MediaFetcher;
import io.wagateway.metrics.GatewayMetrics;
import io.wagateway.phonenumber.PhoneNumber;
import io.wagateway.protocol.Views;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Stores a customer's message: upserts the contact and the conversation, inserts the message
 * (unique on the WhatsApp message id, so a redelivery changes nothing), moves the unread count
 * and the window, and appends {@code new_message} and {@code conversation_updated} (and
 * {@code chat_assigned} when the message was auto-assigned), all in one transaction. The events
 * are pushed after commit.
 */
@ApplicationScoped
public class InboundMessageService {

    public enum Outcome { STORED, DUPLICATE, UNKNOWN_NUMBER }

    /** @param withMedia the message carries media that the download job fetches */
    public record Result(Outcome outcome, UUID messageId, UUID conversationId, List<DurableEvent> events,
                         boolean withMedia) {}

    private static final int MAX_BATCH = 50;

    private final Pool pool;
    private final InboundStore store;
    private final ConversationRows rows;
    private final EventLog eventLog;
    private final ConversationEvents events;
    private final FanoutService fanout;
    private final GroupCommit<InboundMessage, Result> batches;
    private final MediaFetcher media;

    public InboundMessageService(Pool pool, InboundStore store, ConversationRows rows, EventLog eventLog,
                                 ConversationEvents events, FanoutService fanout, Vertx vertx,
                                 GatewayMetrics metrics, MediaFetcher media) {
        this.pool = pool;
        this.media = media;
        this.store = store;
        this.rows = rows;
        this.eventLog = eventLog;
        this.events = events;
        this.fanout = fanout;
        this.batches = new GroupCommit<>(vertx, MAX_BATCH, this::storeAndPush, size -> metrics.groupCommit("inbound", size));
    }

    /**
     * Stores the message and pushes its events after commit. Concurrent messages to the same number
     * are stored together, one transaction per batch, one batch at a time (see {@link GroupCommit}
     * for why one lane beats several), so a customer's messages also stay in order.
     */
    public Uni<Result> record(InboundMessage message) {
        return batches.submit(message.phoneNumberId(), message);
    }

    /** A batch: stored in one transaction, and its events pushed to the subscribed sessions once committed. */
    private Uni<GroupCommit.Outcome> storeAndPush(List<InboundMessage> batch) {
        return pool.withTransaction(connection -> storeTogether(connection, batch))
                .invoke(stored -> {
                    fanout.publishCommitted(stored.events());
                    if (stored.perItem().stream().anyMatch(r -> r instanceof Result result && result.withMedia())) {
                        media.wake(); // the downloads start now, after the push, never before the webhook's 200
                    }
                });
    }

    /** One transaction: every message stored, then all their events appended with one seq update. */
    private Uni<GroupCommit.Outcome> storeTogether(SqlConnection connection, List<InboundMessage> batch) {
        // generic plans: the event append binds arrays, which PostgreSQL would otherwise plan anew every
        // time (see CombinedWrite.reusePlans); sent with the first query, so no extra round trip
        Uni<PhoneNumber> number = Uni.combine().all().unis(CombinedWrite.reusePlans(connection),
                store.number(connection, batch.get(0).phoneNumberId())).with((plans, found) -> found);
        return number.chain(found -> {
            List<Stored> stored = new ArrayList<>(batch.size());
            Uni<Void> chain = Uni.createFrom().voidItem();
            for (InboundMessage message : batch) {
                chain = chain.chain(() -> (found == null ? Uni.createFrom().item(Stored.of(Outcome.UNKNOWN_NUMBER))
                        : store(connection, found, message)).invoke(stored::add).replaceWithVoid());
            }
            return chain.chain(() -> appendAll(connection, found, stored));
        });
    }

    /** What storing one message produced, before its events have a seq. */
    private record Stored(Outcome outcome, UUID messageId, UUID conversationId, List<NewEvent> events,
                          boolean withMedia) {
        static Stored of(Outcome outcome) {
            return new Stored(outcome, null, null, List.of(), false);
        }
    }

    private Uni<Stored> store(SqlConnection connection, PhoneNumber number, InboundMessage received) {
        UUID messageId = UUID.randomUUID();
        InboundMedia media = InboundMedia.of(received);
        InboundMessage m = media == null ? received : media.into(received);
        return store.insert(connection, number, messageId, m, media).chain(inserted -> !inserted.messageInserted()
                ? Uni.createFrom().item(Stored.of(Outcome.DUPLICATE))
                : store.move(connection, inserted, messageId, m).chain(moved -> {
                    Message message = InboundStore.message(number.tenantId, inserted.conversationId(), messageId, m);
                    Conversation conversation = InboundStore.conversation(number, inserted, moved);
                    // only a late message that is not the newest needs a read: the others are the last message
                    Uni<Message> last = messageId.equals(moved.lastMessageId()) ? Uni.createFrom().item(message)
                            : rows.message(connection, moved.lastMessageId());
                    return last.map(lastMessage -> {
                        conversation.lastMessage = lastMessage;
                        return new Stored(Outcome.STORED, messageId, conversation.id,
                                events(message, conversation, moved.assignedNow()), media != null);
                    });
                }));
    }

    private List<NewEvent> events(Message message, Conversation conversation, boolean autoAssigned) {
        List<NewEvent> appended = new ArrayList<>(3);
        appended.add(events.newMessage(message, conversation));
        appended.add(events.updated(conversation));
        if (autoAssigned) {
            appended.add(events.chatAssigned(conversation.id, new Views.ContactRef(conversation.contact.id.toString(),
                    conversation.contact.waId, conversation.contact.name), conversation.assigneeId, "auto",
                    Instant.now()));
        }
        return appended;
    }

    private Uni<GroupCommit.Outcome> appendAll(SqlConnection connection, PhoneNumber number, List<Stored> stored) {
        List<NewEvent> all = stored.stream().flatMap(s -> s.events().stream()).toList();
        Uni<List<DurableEvent>> appended = all.isEmpty() ? Uni.createFrom().item(List.of())
                : eventLog.append(connection, number.tenantId, all);
        return appended.map(committed -> {
            List<Object> results = new ArrayList<>(stored.size());
            int next = 0;
            for (Stored s : stored) {
                results.add(new Result(s.outcome(), s.messageId(), s.conversationId(),
                        committed.subList(next, next + s.events().size()), s.withMedia()));
                next += s.events().size();
            }
            return new GroupCommit.Outcome(results, committed);
        });
    }
}
