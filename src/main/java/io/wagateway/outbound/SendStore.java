package io.wagateway.outbound;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgException;
import io.wagateway.config.CombinedWrite;
import io.wagateway.config.JsonText;
import io.wagateway.conversation.Ids;
import io.wagateway.conversation.Message;
import io.wagateway.fanout.DurableEvent;
import io.wagateway.fanout.EventLog;
import io.wagateway.fanout.NewEvent;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The set-based SQL of {@code send_message}, inside the batch's transaction: however many sends a
 * batch holds, it reads in one round trip (the connection pipelines the queries) and writes in one
 * statement ({@link CombinedWrite}).
 */
@ApplicationScoped
public class SendStore {

    private static final String CLIENT_MESSAGE_ID_KEY = "message_tenant_id_client_message_id_key";
    /**
     * The batch locks its conversations when it reads them: what it read is then what its events say
     * (the update only moves the last message), and the update needs no answer before the events are built.
     * In the global lock order (see {@code InboundStore.upsertContacts}): by the customer's wa_id, then
     * the number (rows are locked after the sort), so that send and inbound batches, of one replica or
     * two, cannot deadlock.
     */
    private static final String LOCK = "\n order by ct.wa_id, c.phone_number_id for no key update of c";

    /** A message stored by an earlier send with the same clientMessageId. */
    record Earlier(UUID messageId, String status) {}

    /**
     * A first send's conversation key: the business number it goes from and the customer. In a
     * query, a null {@code phoneNumberId} stands for the tenant's default number.
     */
    record Recipient(String phoneNumberId, String waId) {}

    /** A send that passed every check, ready to insert. */
    record Draft(Message message, SendTarget target, String recipient, GraphPayloads.Prepared prepared) {}

    /** What the batch's write returned: per draft, in order, the job to dispatch after commit (or null). */
    record Stored(List<OutboxJob> jobs, List<DurableEvent> events) {}

    private final ObjectMapper json;
    private final OutboxStore outbox;
    private final EventLog eventLog;

    public SendStore(ObjectMapper json, OutboxStore outbox, EventLog eventLog) {
        this.json = json;
        this.outbox = outbox;
        this.eventLog = eventLog;
    }

    /** Another transaction stored one of the batch's clientMessageIds after the batch looked for it. */
    static boolean clientMessageIdTaken(Throwable failure) {
        return failure instanceof PgException pg && "23505".equals(pg.getSqlState())
                && CLIENT_MESSAGE_ID_KEY.equals(pg.getConstraint());
    }

    /** Sends whose clientMessageId is already stored, by clientMessageId. */
    Uni<Map<String, Earlier>> earlier(SqlConnection connection, String tenant, String[] clientMessageIds) {
        if (clientMessageIds.length == 0) {
            return Uni.createFrom().item(Map.of());
        }
        return connection.preparedQuery("""
                        select client_message_id, id, status from message
                         where tenant_id = $1 and client_message_id = any($2)""")
                .execute(Tuple.of(tenant, clientMessageIds))
                .map(rows -> {
                    Map<String, Earlier> found = new HashMap<>();
                    rows.forEach(row -> found.put(row.getString(0), new Earlier(row.getUUID(1), row.getString(2))));
                    return found;
                });
    }

    /** The tenant's numbers (phoneNumberIds), its default (first registered) number first. */
    Uni<List<String>> numbers(SqlConnection connection, String tenant) {
        return connection.preparedQuery("select phone_number_id from phone_number where tenant_id = $1 order by created_at, id")
                .execute(Tuple.of(tenant))
                .map(rows -> {
                    List<String> found = new ArrayList<>(rows.size());
                    rows.forEach(row -> found.add(row.getString(0)));
                    return found;
                });
    }

    /** A batch's conversations, by the id a send names and by the number and customer a send goes between. */
    record Targets(Map<UUID, SendTarget> byId, Map<Recipient, SendTarget> byRecipient) {}

    /**
     * The conversations named by id and those of the recipients with the numbers they name (a null
     * number: the tenant's default one), locked, in one statement so that all of them are locked in
     * the global order ({@link #LOCK}). Another tenant's ids, and numbers, find nothing.
     */
    Uni<Targets> targets(SqlConnection connection, String tenant, UUID[] ids, List<Recipient> recipients) {
        if (ids.length == 0 && recipients.isEmpty()) {
            return Uni.createFrom().item(new Targets(Map.of(), Map.of()));
        }
        return connection.preparedQuery("select " + SendTarget.COLUMNS + """
                         where c.id in (
                               select id from conversation where tenant_id = $1 and id = any($2)
                               union all
                               select rc.id from conversation rc join contact rct on rct.id = rc.contact_id
                                      join phone_number rp on rp.id = rc.phone_number_id
                                where rct.tenant_id = $1 and rp.tenant_id = $1
                                  and (rp.phone_number_id, rct.wa_id) in (
                                      select coalesce(r.number, (select phone_number_id from phone_number
                                                                  where tenant_id = $1 order by created_at, id limit 1)),
                                             r.wa_id
                                        from unnest($3::text[], $4::text[]) as r(number, wa_id)))""" + LOCK)
                .execute(Tuple.of(tenant, ids, recipients.stream().map(Recipient::phoneNumberId).toArray(String[]::new),
                        recipients.stream().map(Recipient::waId).toArray(String[]::new)))
                .map(rows -> {
                    Map<UUID, SendTarget> byId = new HashMap<>();
                    Map<Recipient, SendTarget> byRecipient = new HashMap<>();
                    rows.forEach(row -> {
                        SendTarget target = SendTarget.of(row);
                        byId.put(target.conversationId(), target);
                        byRecipient.put(new Recipient(target.phoneNumberId(), target.waId()), target);
                    });
                    return new Targets(byId, byRecipient);
                });
    }

    /**
     * Opens a conversation of each recipient with the number it names (a first send, which the window
     * limits to templates). Upserts, so that a concurrent first message of the same customer meets on
     * the unique keys, contacts then conversations in the global lock order (see {@link #LOCK}). One
     * statement, committed on its own before the batch's transaction: it holds no lock while it waits.
     * A number that is not the tenant's opens nothing.
     *
     * @param recipients each with the phoneNumberId it goes from (none null)
     */
    Uni<Void> open(Pool pool, String tenant, List<Recipient> recipients) {
        return pool.preparedQuery("""
                        with wanted as (
                            select p.id as number_id, r.wa_id from unnest($2::text[], $3::text[]) as r(number, wa_id)
                              join phone_number p on p.tenant_id = $1 and p.phone_number_id = r.number),
                        contact_row as (
                            insert into contact (id, tenant_id, wa_id)
                            select gen_random_uuid(), $1, w.wa_id from (select distinct wa_id from wanted) w
                             order by w.wa_id
                            on conflict (tenant_id, wa_id) do update set wa_id = excluded.wa_id
                            returning id, wa_id)
                        insert into conversation (id, tenant_id, contact_id, phone_number_id)
                        select gen_random_uuid(), $1, contact_row.id, wanted.number_id
                          from contact_row join wanted on wanted.wa_id = contact_row.wa_id
                         order by contact_row.wa_id, wanted.number_id
                        on conflict (contact_id, phone_number_id) do nothing""")
                .execute(Tuple.of(tenant, recipients.stream().map(Recipient::phoneNumberId).toArray(String[]::new),
                        recipients.stream().map(Recipient::waId).toArray(String[]::new)))
                .replaceWithVoid();
    }

    /** Our message id or a WhatsApp id of the conversation -> the WhatsApp id Meta needs; null if none. */
    Uni<String> wamidOf(SqlConnection connection, UUID conversationId, String reference) {
        UUID id = Ids.parse(reference).orElse(null);
        return connection.preparedQuery("""
                        select wa_message_id from message
                         where conversation_id = $1 and (id = $2 or wa_message_id = $3)""")
                .execute(Tuple.of(conversationId, id, id == null ? reference : null))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString(0));
    }

    /**
     * Messages, outbox rows, conversations and events in one statement. A clientMessageId that a
     * concurrent transaction stored first fails it (the unique key, after that transaction
     * committed): see {@link #clientMessageIdTaken}.
     *
     * @param events the batch's events, built by the caller from the drafts
     */
    Uni<Stored> insert(SqlConnection connection, String tenant, List<Draft> drafts, List<NewEvent> events) {
        CombinedWrite write = new CombinedWrite();
        insertMessages(write, tenant, drafts);
        OutboxStore.Enqueued enqueued = outbox.enqueueIn(write, tenant, drafts.stream()
                .map(d -> new OutboxStore.NewRow(d.target().numberId(), d.target().phoneNumberId(),
                        d.target().accessToken(), d.message().id, "send", d.recipient(), d.prepared().body()))
                .toList());
        touchConversations(write, drafts);
        EventLog.Appending appending = eventLog.appendIn(write, tenant, events);
        // the main query runs the parts in the order it reads them: the tenant's counter row, which
        // every writer of the tenant waits for, is locked last
        return write.execute(connection, "select (select count(*) from inserted_message), "
                        + "(select count(*) from touched_conversation), " + OutboxStore.HEADS + ", " + EventLog.LAST_SEQ)
                .map(rows -> {
                    Row row = rows.iterator().next();
                    return new Stored(enqueued.jobs(row.getArrayOfUUIDs(2)), appending.appended(row.getLong(3)));
                });
    }

    private void insertMessages(CombinedWrite write, String tenant, List<Draft> drafts) {
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
     * Moves each conversation's last message to the batch's last message in it; its place in
     * get_conversations is that message's time (PROTOCOL.md 6.2), never earlier than it was.
     */
    private static void touchConversations(CombinedWrite write, List<Draft> drafts) {
        Map<UUID, Message> last = new LinkedHashMap<>();
        drafts.forEach(d -> last.put(d.target().conversationId(), d.message()));
        write.part("touched_conversation", """
                        update conversation c set last_message_id = v.message,
                               last_activity_at = greatest(c.last_activity_at, v.ts), updated_at = now()
                          from unnest($1::uuid[], $2::uuid[], $3::timestamptz[]) as v(id, message, ts)
                         where c.id = v.id
                        returning c.id""",
                last.keySet().toArray(UUID[]::new), last.values().stream().map(m -> m.id).toArray(UUID[]::new),
                last.values().stream().map(m -> m.timestamp.atOffset(ZoneOffset.UTC)).toArray(OffsetDateTime[]::new));
    }
}
