package io.wagateway.outbound;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.wagateway.config.CombinedWrite;
import io.wagateway.conversation.Conversation;
import io.wagateway.conversation.ConversationEvents;
import io.wagateway.conversation.Ids;
import io.wagateway.fanout.FanoutService;
import io.wagateway.fanout.GroupCommit;
import io.wagateway.fanout.NewEvent;
import io.wagateway.media.MediaCatalog;
import io.wagateway.metrics.GatewayMetrics;
import io.wagateway.protocol.ClientEvent.SendMessage;
import io.wagateway.protocol.ProtocolException;
import io.wagateway.security.ClientIdentity;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * {@code send_message}, the storing half: validate, find or open the conversation, check the
 * 24-hour window, and store the message as {@code pending}, its outbox row and its
 * {@code new_message} / {@code conversation_updated} events in one transaction. Idempotent on
 * {@code clientMessageId} per tenant: a repeat returns the first message and stores nothing.
 * {@link OutboxSender} does the calling half.
 *
 * <p>Concurrent sends of a tenant are stored together ({@link GroupCommit}, one batch at a time):
 * without this a tenant's sends queue on its seq row, one WAL flush each (see the bench README).
 */
@ApplicationScoped
public class OutboundMessageService {

    /** The stored (or earlier) message; {@code job} is set when this call created a send to start now. */
    public record Accepted(UUID messageId, String clientMessageId, String status, boolean created, OutboxJob job) {}

    /** One send of a batch. */
    record Request(ClientIdentity me, SendMessage send, String to) {}

    private static final int MAX_BATCH = 50;

    private final Pool pool;
    private final SendStore store;
    private final MediaCatalog media;
    private final ObjectMapper json;
    private final ConversationEvents events;
    private final FanoutService fanout;
    private final GroupCommit<Request, Accepted> batches;

    public OutboundMessageService(Pool pool, SendStore store, ObjectMapper json, ConversationEvents events,
                                  FanoutService fanout, Vertx vertx, GatewayMetrics metrics, MediaCatalog media) {
        this.pool = pool;
        this.media = media;
        this.store = store;
        this.json = json;
        this.events = events;
        this.fanout = fanout;
        this.batches = new GroupCommit<>(vertx, MAX_BATCH, this::storeAndPush, size -> metrics.groupCommit("send", size));
    }

    public Uni<Accepted> send(ClientIdentity me, SendMessage request) {
        try {
            return batches.submit(me.tenant(), new Request(me, request, SendChecks.recipient(request)));
        } catch (ProtocolException refused) {
            return Uni.createFrom().failure(refused);
        }
    }

    /**
     * A batch: stored in one transaction, and its events pushed once committed. A clientMessageId
     * that a concurrent transaction stored first fails the batch: stored again, it finds that
     * message like any repeat.
     */
    private Uni<GroupCommit.Outcome> storeAndPush(List<Request> batch) {
        return store(batch).onFailure(SendStore::clientMessageIdTaken).recoverWithUni(() -> store(batch))
                .invoke(stored -> fanout.publishCommitted(stored.events()));
    }

    private Uni<GroupCommit.Outcome> store(List<Request> batch) {
        return pool.withTransaction(connection -> read(connection, batch)
                .chain(sends -> sends.openMissing(connection))
                .chain(sends -> sends.check(connection))
                .chain(sends -> insert(connection, sends)));
    }

    /** The batch's reads, sent together (the connection pipelines them): one round trip. */
    private Uni<SendBatch> read(SqlConnection connection, List<Request> batch) {
        String tenant = batch.get(0).me().tenant();
        String[] clientIds = batch.stream().map(r -> r.send().clientMessageId()).filter(Objects::nonNull)
                .distinct().toArray(String[]::new);
        UUID[] named = batch.stream().map(r -> r.send().conversationId()).filter(Objects::nonNull)
                .flatMap(id -> Ids.parse(id).stream()).distinct().toArray(UUID[]::new);
        // a null number is the default one, which the queries resolve: still one round trip
        List<SendStore.Recipient> recipients = batch.stream().filter(r -> r.send().conversationId() == null)
                .map(r -> new SendStore.Recipient(r.send().from(), r.to())).distinct().toList();
        return Uni.combine().all().unis(CombinedWrite.reusePlans(connection),
                        store.earlier(connection, tenant, clientIds), store.byIds(connection, tenant, named),
                        store.byRecipients(connection, tenant, recipients), store.numbers(connection, tenant)).asTuple()
                .map(read -> new SendBatch(store, media, json, tenant, batch, read.getItem2(), read.getItem3(), read.getItem4(),
                        read.getItem5()));
    }

    /** Inserts the drafts with their events: one new_message each, one conversation_updated per conversation. */
    private Uni<GroupCommit.Outcome> insert(SqlConnection connection, SendBatch sends) {
        List<SendStore.Draft> drafts = sends.drafts();
        if (drafts.isEmpty()) {
            return Uni.createFrom().item(new GroupCommit.Outcome(sends.results(), List.of()));
        }
        Map<UUID, SendStore.Draft> lastOfConversation = new HashMap<>();
        drafts.forEach(d -> lastOfConversation.put(d.target().conversationId(), d));
        List<NewEvent> announced = new ArrayList<>();
        for (SendStore.Draft d : drafts) {
            SendStore.Draft last = lastOfConversation.get(d.target().conversationId());
            Conversation conversation = last.target().after(last.message());
            announced.add(events.newMessage(d.message(), conversation));
            if (last == d) {
                announced.add(events.updated(conversation));
            }
        }
        return store.insert(connection, sends.tenant(), drafts, announced)
                .map(stored -> new GroupCommit.Outcome(sends.accepted(stored.jobs()), stored.events()));
    }
}
