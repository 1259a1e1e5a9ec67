package io.wagateway.fanout;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.wagateway.config.CombinedWrite;
import io.wagateway.config.JsonText;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * Appends durable events inside the caller's transaction. The per-tenant counter row is
 * incremented by the same transaction, and its row lock is held until commit, so seq order is
 * commit order and there are no gaps: a replay {@code where seq > lastSeq} can never skip an
 * event that commits late. Callers append last, to hold that lock as briefly as possible.
 */
@ApplicationScoped
public class EventLog {

    private final ObjectMapper json;

    public EventLog(ObjectMapper json) {
        this.json = json;
    }

    /**
     * Must run inside the caller's transaction; returns the events with their seq, to publish after
     * commit. One statement takes the seq range from the counter row and inserts the events (its
     * text does not depend on how many there are), so the row's lock is held for that statement
     * and the commit only. A write that has other statements to run can add the append to them
     * instead ({@link #appendIn}).
     */
    public Uni<List<DurableEvent>> append(SqlConnection connection, String tenant, List<NewEvent> events) {
        if (events.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        CombinedWrite write = new CombinedWrite();
        Appending appending = appendIn(write, tenant, events);
        return write.execute(connection, "select " + LAST_SEQ)
                .map(rows -> appending.appended(rows.iterator().next().getLong(0)));
    }

    /** In a {@link CombinedWrite} that appends events: the main query's expression for the last seq taken. */
    public static final String LAST_SEQ = "(select last_seq from event_counter)";

    /** Events added to a {@link CombinedWrite}; their seqs are known once it ran. */
    public record Appending(String tenant, List<NewEvent> events, List<String> payloads) {

        /** @param lastSeq what the statement's {@link #LAST_SEQ} returned */
        public List<DurableEvent> appended(Long lastSeq) {
            if (lastSeq == null) {
                throw new IllegalStateException("tenant " + tenant + " has no event counter");
            }
            long firstSeq = lastSeq - events.size() + 1;
            List<DurableEvent> appended = new ArrayList<>(events.size());
            for (int i = 0; i < events.size(); i++) {
                NewEvent e = events.get(i);
                appended.add(new DurableEvent(tenant, firstSeq + i, e.name(), e.audience(), e.conversationId(),
                        e.contactId(), e.userId(), payloads.get(i)));
            }
            return appended;
        }
    }

    /**
     * Adds the events (not empty) to a write that the caller runs inside its transaction, with
     * {@link #LAST_SEQ} in its main query. Taking the seq range and inserting in the same statement
     * as the caller's other writes keeps the counter row, on which every writer of the tenant
     * queues, locked for that statement and the commit only.
     */
    public Appending appendIn(CombinedWrite write, String tenant, List<NewEvent> events) {
        int n = events.size();
        String[] names = new String[n];
        String[] audiences = new String[n];
        UUID[] conversations = new UUID[n];
        UUID[] contacts = new UUID[n];
        String[] users = new String[n];
        String[] payloads = new String[n];
        for (int i = 0; i < n; i++) {
            NewEvent e = events.get(i);
            names[i] = e.name();
            audiences[i] = e.audience().name();
            conversations[i] = e.conversationId();
            contacts[i] = e.contactId();
            users[i] = e.userId();
            payloads[i] = serialize(e);
        }
        write.part("event_counter", "update tenant set last_seq = last_seq + $2 where id = $1 returning last_seq",
                        tenant, (long) n)
                .part("appended_event", """
                                insert into event (tenant_id, seq, name, audience, conversation_id, contact_id, user_id,
                                                   payload)
                                select $1, event_counter.last_seq - $2 + e.ord, e.name, e.audience, e.conversation,
                                       e.contact, e.user_id, cast(e.payload as jsonb)
                                  from event_counter, unnest($3::text[], $4::text[], $5::uuid[], $6::uuid[], $7::text[],
                                                             $8::text[])
                                       with ordinality as e(name, audience, conversation, contact, user_id, payload, ord)
                                returning seq""",
                        tenant, (long) n, names, audiences, conversations, contacts, users, payloads);
        return new Appending(tenant, events, Arrays.asList(payloads));
    }

    private String serialize(NewEvent event) {
        return JsonText.of(json, event.payload());
    }
}
