package io.wagateway.outbound;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgException;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.wagateway.config.CombinedWrite;
import io.wagateway.config.JsonText;
import io.wagateway.conversation.Contact;
import io.wagateway.conversation.Conversation;
import io.wagateway.conversation.ConversationEvents;
import io.wagateway.conversation.Ids;
import io.wagateway.conversation.Message;
import io.wagateway.conversation.ViewMapper;
import io.wagateway.fanout.DurableEvent;
import io.wagateway.fanout.EventLog;
import io.wagateway.fanout.FanoutService;
import io.wagateway.fanout.GroupCommit;
import io.wagateway.fanout.NewEvent;
import io.wagateway.metrics.GatewayMetrics;
import io.wagateway.phonenumber.Numbers;
import io.wagateway.phonenumber.PhoneNumber;
import io.wagateway.protocol.ClientEvent.SendMessage;
import io.wagateway.protocol.ErrorCode;
import io.wagateway.protocol.ProtocolException;
import io.wagateway.security.ClientIdentity;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
 * <p>Concurrent sends of a tenant are stored together ({@link GroupCommit}, one batch at a time),
 * with set-based statements: however many sends it holds, a batch reads in one round trip (its
 * queries pipelined) and writes in one statement ({@link CombinedWrite}). Without this a tenant's
 * sends queue on its seq row, one WAL flush each (see the bench README).
 */
@ApplicationScoped
public class OutboundMessageService {

    /** The stored (or earlier) message; {@code job} is set when this call created a send to start now. */
    public record Accepted(UUID messageId, String clientMessageId, String status, boolean created,
                           OutboxJob job) {}

    private static final int MAX_BATCH = 50;
    private static final String CLIENT_MESSAGE_ID_KEY = "message_tenant_id_client_message_id_key";
    private static final String TARGET_COLUMNS = """
            c.id, c.contact_id, ct.wa_id, ct.name, c.assignee_id, c.status, c.unread_count, c.last_inbound_at,
            c.updated_at, p.id, p.phone_number_id, p.display_phone_number, p.access_token, now()
              from conversation c join contact ct on ct.id = c.contact_id join phone_number p on p.id = c.phone_number_id
            """; // ends with a line break, so that a where clause can follow
    /**
     * The batch locks its conversations when it reads them: what it read is then what its events say
     * (the update only moves the last message), and the update needs no answer before the events are built.
     * In id order (rows are locked after the sort), so that batches of two replicas cannot deadlock.
     */
    private static final String LOCK = "\n order by c.id for no key update of c";

    private final ObjectMapper json;
    private final Pool pool;
    private final EventLog eventLog;
    private final ConversationEvents conversationEvents;
    private final OutboxStore outbox;
    private final GroupCommit<Request, Accepted> batches;

    public OutboundMessageService(ObjectMapper json, Pool pool, EventLog eventLog, FanoutService fanout,
                                  ConversationEvents conversationEvents, OutboxStore outbox, Vertx vertx,
                                  GatewayMetrics metrics) {
        this.json = json;
        this.pool = pool;
        this.eventLog = eventLog;
        this.conversationEvents = conversationEvents;
        this.outbox = outbox;
        this.batches = new GroupCommit<>(vertx, MAX_BATCH,
                batch -> store(batch).onFailure(OutboundMessageService::clientMessageIdTaken)
                        .recoverWithUni(() -> store(batch)), // now the repeat is found like any other
                fanout::publishCommitted, size -> metrics.groupCommit("send", size));
    }

    private record Request(ClientIdentity me, SendMessage send, String to) {}

    private Uni<GroupCommit.Outcome> store(List<Request> batch) {
        return pool.withTransaction(connection -> new Batch(connection, batch).store());
    }

    /** Another transaction stored one of the batch's clientMessageIds after the batch looked for it. */
    private static boolean clientMessageIdTaken(Throwable failure) {
        return failure instanceof PgException pg && "23505".equals(pg.getSqlState())
                && CLIENT_MESSAGE_ID_KEY.equals(pg.getConstraint());
    }

    public Uni<Accepted> send(ClientIdentity me, SendMessage request) {
        String to = Numbers.digits(request.to());
        if (to.length() < 6 || to.length() > 15) {
            return Uni.createFrom().failure(ProtocolException.badRequest("to must be a phone number of 6 to 15 digits"));
        }
        return batches.submit(me.tenant(), new Request(me, request, to));
    }

    /**
     * A conversation as a send needs it: for the checks, the outbox row and the views; {@code now} is
     * the transaction's time, which the update writes as its {@code updated_at}.
     */
    private record Target(UUID conversationId, UUID contactId, String waId, String name, String assignee,
                          String status, int unread, Instant lastInboundAt, Instant updatedAt, UUID numberId,
                          String phoneNumberId, String displayPhoneNumber, String accessToken, Instant now) {

        static Target of(Row row) {
            return new Target(row.getUUID(0), row.getUUID(1), row.getString(2), row.getString(3), row.getString(4),
                    row.getString(5), row.getInteger(6), instant(row.getOffsetDateTime(7)),
                    instant(row.getOffsetDateTime(8)), row.getUUID(9), row.getString(10), row.getString(11),
                    row.getString(12), instant(row.getOffsetDateTime(13)));
        }
    }

    /** A send that passed every check, ready to insert. */
    private record Draft(int index, Request request, Target target, Message message, GraphPayloads.Prepared prepared) {}

    /**
     * One batch of one tenant, in one transaction. Each step fills {@code results} for the sends it
     * settles (an earlier message, or the ProtocolException that refuses a send); what is left
     * is inserted together at the end.
     */
    private final class Batch {
        private final SqlConnection connection;
        private final List<Request> requests;
        private final String tenant;
        private final Object[] results;
        private final Map<UUID, Target> byId = new HashMap<>();
        private final Map<String, Target> byRecipient = new HashMap<>();
        private final List<Draft> drafts = new ArrayList<>();
        /** Sends that repeat the clientMessageId of an earlier draft of this batch -> that draft. */
        private final Map<Integer, Draft> repeats = new HashMap<>();
        /** The tenant's default number, read only when a recipient has no conversation yet. */
        private UUID defaultNumberId;

        Batch(SqlConnection connection, List<Request> requests) {
            this.connection = connection;
            this.requests = requests;
            this.tenant = requests.get(0).me().tenant();
            this.results = new Object[requests.size()];
        }

        Uni<GroupCommit.Outcome> store() {
            // the reads go out together (the connection pipelines them): one round trip
            return Uni.combine().all().unis(CombinedWrite.reusePlans(connection), earlier(), named(),
                            byRecipient(recipients())).discardItems()
                    .chain(this::openMissing)
                    .chain(this::check)
                    .chain(this::insert)
                    .map(appended -> new GroupCommit.Outcome(Arrays.asList(results), appended));
        }

        /** Sends whose clientMessageId is already stored: answered with the first message. */
        private Uni<Void> earlier() {
            String[] ids = requests.stream().map(r -> r.send().clientMessageId()).filter(Objects::nonNull)
                    .distinct().toArray(String[]::new);
            if (ids.length == 0) {
                return Uni.createFrom().voidItem();
            }
            return connection.preparedQuery("""
                            select client_message_id, id, status from message
                             where tenant_id = $1 and client_message_id = any($2)""")
                    .execute(Tuple.of(tenant, ids))
                    .invoke(rows -> {
                        Map<String, Accepted> found = new HashMap<>();
                        rows.forEach(row -> found.put(row.getString(0),
                                new Accepted(row.getUUID(1), row.getString(0), row.getString(2), false, null)));
                        for (int i = 0; i < results.length; i++) {
                            String id = requests.get(i).send().clientMessageId();
                            if (id != null && found.containsKey(id)) {
                                results[i] = found.get(id);
                            }
                        }
                    })
                    .replaceWithVoid();
        }

        /** The conversations named by id. */
        private Uni<Void> named() {
            UUID[] ids = requests.stream().map(r -> r.send().conversationId()).filter(Objects::nonNull)
                    .flatMap(id -> Ids.parse(id).stream()).distinct().toArray(UUID[]::new);
            if (ids.length == 0) {
                return Uni.createFrom().voidItem();
            }
            return connection.preparedQuery("select " + TARGET_COLUMNS + " where c.tenant_id = $1 and c.id = any($2)"
                            + LOCK)
                    .execute(Tuple.of(tenant, ids))
                    .invoke(rows -> rows.forEach(row -> byId.put(row.getUUID(0), Target.of(row))))
                    .replaceWithVoid();
        }

        /** Recipients of the sends that name no conversation. */
        private List<String> recipients() {
            return requests.stream().filter(r -> r.send().conversationId() == null).map(Request::to).distinct()
                    .toList();
        }

        /**
         * Opens a conversation with the tenant's number for each recipient of a pending send that has
         * none yet: a first send, which the window limits to templates.
         */
        private Uni<Void> openMissing() {
            List<String> missing = new ArrayList<>();
            for (int i = 0; i < results.length; i++) {
                Request r = requests.get(i);
                if (results[i] == null && r.send().conversationId() == null && !byRecipient.containsKey(r.to())
                        && !missing.contains(r.to())) {
                    missing.add(r.to());
                }
            }
            if (missing.isEmpty()) {
                return Uni.createFrom().voidItem();
            }
            return findDefaultNumber().chain(() -> {
                if (defaultNumberId == null) {
                    return Uni.createFrom().voidItem(); // target() refuses these sends
                }
                Uni<Void> opened = Uni.createFrom().voidItem();
                for (String to : missing) {
                    opened = opened.chain(() -> open(to));
                }
                return opened.chain(() -> byRecipient(missing));
            });
        }

        private Uni<Void> findDefaultNumber() {
            return connection.preparedQuery("""
                            select id from phone_number where tenant_id = $1 order by created_at, id limit 1""")
                    .execute(Tuple.of(tenant))
                    .invoke(rows -> rows.forEach(row -> defaultNumberId = row.getUUID(0)))
                    .replaceWithVoid();
        }

        /** The recipients' conversations with the tenant's default number (its first). */
        private Uni<Void> byRecipient(List<String> recipients) {
            if (recipients.isEmpty()) {
                return Uni.createFrom().voidItem();
            }
            return connection.preparedQuery("select " + TARGET_COLUMNS + """
                             where ct.tenant_id = $1 and ct.wa_id = any($2)
                               and c.phone_number_id = (select id from phone_number where tenant_id = $1
                                                         order by created_at, id limit 1)""" + LOCK)
                    .execute(Tuple.of(tenant, recipients.toArray(String[]::new)))
                    .invoke(rows -> rows.forEach(row -> byRecipient.put(row.getString(2), Target.of(row))))
                    .replaceWithVoid();
        }

        /** Upserts, so that a concurrent first message of the same customer meets on the unique keys. */
        private Uni<Void> open(String to) {
            return connection.preparedQuery("""
                            with contact_row as (
                                insert into contact (id, tenant_id, wa_id) values ($1, $2, $3)
                                on conflict (tenant_id, wa_id) do update set wa_id = excluded.wa_id
                                returning id)
                            insert into conversation (id, tenant_id, contact_id, phone_number_id)
                            select $4, $2, contact_row.id, $5 from contact_row
                            on conflict (contact_id, phone_number_id) do nothing""")
                    .execute(Tuple.of(UUID.randomUUID(), tenant, to, UUID.randomUUID(), defaultNumberId))
                    .replaceWithVoid();
        }

        /** Per send, in order: conversation, window, reply and reaction targets, type-specific fields. */
        private Uni<Void> check() {
            Uni<Void> chain = Uni.createFrom().voidItem();
            Map<String, Draft> draftsByClientId = new HashMap<>();
            for (int i = 0; i < results.length; i++) {
                if (results[i] != null) {
                    continue;
                }
                int index = i;
                Request r = requests.get(i);
                chain = chain.chain(() -> {
                    String clientId = r.send().clientMessageId();
                    if (clientId != null && draftsByClientId.containsKey(clientId)) {
                        repeats.put(index, draftsByClientId.get(clientId));
                        return Uni.createFrom().voidItem();
                    }
                    return Uni.createFrom().deferred(() -> draft(index, r)) // its checks throw
                            .invoke(draft -> {
                                drafts.add(draft);
                                if (clientId != null) {
                                    draftsByClientId.put(clientId, draft);
                                }
                            })
                            .onFailure(ProtocolException.class).recoverWithItem(failure -> {
                                results[index] = failure;
                                return null;
                            })
                            .replaceWithVoid();
                });
            }
            return chain;
        }

        private Uni<Draft> draft(int index, Request r) {
            Target target = target(r);
            String type = r.send().type() == null ? "text" : r.send().type();
            if (!"template".equals(type) && !ViewMapper.windowOpen(target.lastInboundAt(), Instant.now())) {
                throw new ProtocolException(ErrorCode.OUTSIDE_WINDOW,
                        "the customer has not written in the last 24 hours: only templates can be sent");
            }
            return wamidOf(target, r.send().replyTo(), "replyTo")
                    .chain(reply -> wamidOf(target, reactionTarget(r.send()), "reaction.messageId").map(reacted -> {
                        UUID messageId = UUID.randomUUID();
                        GraphPayloads.Prepared prepared = GraphPayloads.prepare(json, r.send(), r.to(),
                                messageId.toString(), reply, reacted);
                        return new Draft(index, r, target, message(messageId, r, target, prepared, reply), prepared);
                    }));
        }

        private Target target(Request r) {
            if (r.send().conversationId() == null) {
                Target target = byRecipient.get(r.to());
                if (target == null) { // none found, none opened: the tenant has no number
                    throw ProtocolException.notFound("WhatsApp number of this tenant");
                }
                return target;
            }
            Target target = Ids.parse(r.send().conversationId()).map(byId::get).orElse(null);
            if (target == null) {
                throw ProtocolException.notFound("conversation");
            }
            if (!r.to().equals(target.waId())) {
                throw ProtocolException.badRequest("to is not the customer of this conversation");
            }
            return target;
        }

        /** Our message id or a WhatsApp id of this conversation -> the WhatsApp id Meta needs. */
        private Uni<String> wamidOf(Target target, String reference, String field) {
            if (reference == null) {
                return Uni.createFrom().nullItem();
            }
            UUID id = Ids.parse(reference).orElse(null);
            return connection.preparedQuery("""
                            select wa_message_id from message
                             where conversation_id = $1 and (id = $2 or wa_message_id = $3)""")
                    .execute(Tuple.of(target.conversationId(), id, id == null ? reference : null))
                    .map(rows -> {
                        String wamid = rows.size() == 0 ? null : rows.iterator().next().getString(0);
                        if (wamid == null) {
                            throw ProtocolException.badRequest(field
                                    + " is not a sent or received message of this conversation");
                        }
                        return wamid;
                    });
        }

        /**
         * Messages, outbox rows, conversations and events in one statement. A clientMessageId that a
         * concurrent transaction stored first fails it (the unique key, after that transaction
         * committed): the batch is then stored again, and finds that message like any repeat.
         */
        private Uni<List<DurableEvent>> insert() {
            if (drafts.isEmpty()) {
                return Uni.createFrom().item(List.of());
            }
            CombinedWrite write = new CombinedWrite();
            insertMessages(write);
            OutboxStore.Enqueued enqueued = outbox.enqueueIn(write, tenant, drafts.stream()
                    .map(d -> new OutboxStore.NewRow(d.target().numberId(), d.target().phoneNumberId(),
                            d.target().accessToken(), d.message().id, "send", d.request().to(), d.prepared().body()))
                    .toList());
            EventLog.Appending appending = eventLog.appendIn(write, tenant, touchConversations(write));
            // the main query runs the parts in the order it reads them: the tenant's counter row, which
            // every writer of the tenant waits for, is locked last
            return write.execute(connection, "select (select count(*) from inserted_message), "
                            + "(select count(*) from touched_conversation), " + OutboxStore.HEADS + ", " + EventLog.LAST_SEQ)
                    .map(rows -> {
                        Row row = rows.iterator().next();
                        List<OutboxJob> jobs = enqueued.jobs(row.getArrayOfUUIDs(2));
                        for (int i = 0; i < drafts.size(); i++) {
                            Draft d = drafts.get(i);
                            results[d.index()] = new Accepted(d.message().id, d.message().clientMessageId,
                                    "pending", true, jobs.get(i));
                        }
                        // a repeat inside the batch gets its first send's message, as a retry would
                        repeats.forEach((index, first) -> results[index] = new Accepted(first.message().id,
                                first.message().clientMessageId, "pending", false, null));
                        return appending.appended(row.getLong(3));
                    });
        }

        private void insertMessages(CombinedWrite write) {
            int n = drafts.size();
            UUID[] ids = new UUID[n];
            UUID[] conversations = new UUID[n];
            String[] types = new String[n];
            String[] contents = new String[n];
            String[] media = new String[n];
            String[] templates = new String[n];
            String[] reactions = new String[n];
            String[] locations = new String[n];
            String[] replies = new String[n];
            String[] clientIds = new String[n];
            String[] senders = new String[n];
            OffsetDateTime[] times = new OffsetDateTime[n];
            for (int i = 0; i < n; i++) {
                Message m = drafts.get(i).message();
                ids[i] = m.id;
                conversations[i] = m.conversationId;
                types[i] = m.type;
                contents[i] = m.content;
                media[i] = JsonText.of(json, m.media);
                templates[i] = JsonText.of(json, m.template);
                reactions[i] = JsonText.of(json, m.reaction);
                locations[i] = JsonText.of(json, m.location);
                replies[i] = m.replyTo;
                clientIds[i] = m.clientMessageId;
                senders[i] = m.sentBy;
                times[i] = m.timestamp.atOffset(ZoneOffset.UTC);
            }
            write.part("inserted_message", """
                            insert into message (id, tenant_id, conversation_id, direction, type, content, media, template,
                                                 reaction, location, reply_to, client_message_id, status, sent_by, ts)
                            select m.id, $1, m.conversation, 'outbound', m.type, m.content, cast(m.media as jsonb),
                                   cast(m.template as jsonb), cast(m.reaction as jsonb), cast(m.location as jsonb),
                                   m.reply_to, m.client_id, 'pending', m.sent_by, m.ts
                              from unnest($2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[],
                                          $8::text[], $9::text[], $10::text[], $11::text[], $12::text[],
                                          $13::timestamptz[])
                                   as m(id, conversation, type, content, media, template, reaction, location, reply_to,
                                        client_id, sent_by, ts)
                            returning id""",
                    tenant, ids, conversations, types, contents, media, templates, reactions, locations, replies,
                    clientIds, senders, times);
        }

        /**
         * Moves each conversation's last message, and returns the events: the conversations are as the
         * batch read (and locked) them, with the transaction's time as updated_at. One
         * conversation_updated per conversation, after its last new_message.
         */
        private List<NewEvent> touchConversations(CombinedWrite write) {
            Map<UUID, Draft> last = new LinkedHashMap<>();
            drafts.forEach(d -> last.put(d.target().conversationId(), d));
            UUID[] ids = last.keySet().toArray(UUID[]::new);
            UUID[] messages = last.values().stream().map(d -> d.message().id).toArray(UUID[]::new);
            write.part("touched_conversation", """
                    update conversation c set last_message_id = v.message, last_activity_at = now(), updated_at = now()
                      from unnest($1::uuid[], $2::uuid[]) as v(id, message)
                     where c.id = v.id
                    returning c.id""", ids, messages);
            Map<UUID, Conversation> views = new HashMap<>();
            last.forEach((id, d) -> views.put(id, conversation(d)));
            List<NewEvent> events = new ArrayList<>();
            for (Draft d : drafts) {
                Conversation conversation = views.get(d.target().conversationId());
                events.add(conversationEvents.newMessage(d.message(), conversation));
                if (last.get(conversation.id) == d) {
                    events.add(conversationEvents.updated(conversation));
                }
            }
            return events;
        }
    }

    /** The message as the batch inserts it, for its view (not a managed entity). */
    private static Message message(UUID id, Request r, Target target, GraphPayloads.Prepared prepared, String reply) {
        Message m = new Message();
        m.id = id;
        m.tenantId = r.me().tenant();
        m.conversationId = target.conversationId();
        m.direction = "outbound";
        m.type = prepared.type();
        m.content = prepared.content();
        m.media = prepared.media();
        m.template = prepared.template();
        m.reaction = prepared.reaction();
        m.location = prepared.location();
        m.replyTo = reply;
        m.clientMessageId = r.send().clientMessageId();
        m.status = "pending";
        m.sentBy = r.me().userId();
        m.timestamp = Instant.now().truncatedTo(ChronoUnit.MICROS); // what PostgreSQL keeps
        return m;
    }

    /** The conversation after the batch's update, with its last message: what its view needs. */
    private static Conversation conversation(Draft last) {
        Target t = last.target();
        Contact contact = new Contact();
        contact.id = t.contactId();
        contact.waId = t.waId();
        contact.name = t.name();
        PhoneNumber number = new PhoneNumber();
        number.id = t.numberId();
        number.phoneNumberId = t.phoneNumberId();
        number.displayPhoneNumber = t.displayPhoneNumber();
        Conversation c = new Conversation();
        c.id = t.conversationId();
        c.tenantId = last.message().tenantId;
        c.contact = contact;
        c.phoneNumber = number;
        c.assigneeId = t.assignee();
        c.status = t.status();
        c.unreadCount = t.unread();
        c.lastInboundAt = t.lastInboundAt();
        c.updatedAt = t.now();
        c.lastMessage = last.message();
        return c;
    }

    private static Instant instant(OffsetDateTime value) {
        return value == null ? null : value.toInstant();
    }

    private static String reactionTarget(SendMessage request) {
        if (!"reaction".equals(request.type()) || request.reaction() == null) {
            return null;
        }
        return request.reaction().path("messageId").asText(null);
    }
}
