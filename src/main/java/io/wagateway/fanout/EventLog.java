package io.wagateway.fanout;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.wagateway.config.JsonText;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import org.hibernate.reactive.mutiny.Mutiny;

import java.util.ArrayList;
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

    /** Must run inside a transaction; returns the events with their seq, to publish after commit. */
    public Uni<List<DurableEvent>> append(String tenant, List<NewEvent> events) {
        if (events.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        List<String> payloads = events.stream().map(this::serialize).toList();
        return Panache.getSession().chain(session -> session
                .createNativeQuery("update tenant set last_seq = last_seq + :n where id = :tenant returning last_seq",
                        Long.class)
                .setParameter("n", (long) events.size())
                .setParameter("tenant", tenant)
                .getSingleResult()
                .chain(lastSeq -> insert(session, tenant, events, payloads, lastSeq - events.size() + 1)));
    }

    private Uni<List<DurableEvent>> insert(Mutiny.Session session, String tenant, List<NewEvent> events,
                                           List<String> payloads, long firstSeq) {
        StringBuilder sql = new StringBuilder("insert into event "
                + "(tenant_id, seq, name, audience, conversation_id, contact_id, user_id, payload) values ");
        List<DurableEvent> appended = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            sql.append(i == 0 ? "" : ", ")
                    .append("(:tenant, :seq").append(i).append(", :name").append(i).append(", :audience").append(i)
                    .append(", :conversation").append(i).append(", :contact").append(i).append(", :user").append(i)
                    .append(", cast(cast(:payload").append(i).append(" as text) as jsonb))");
            NewEvent e = events.get(i);
            appended.add(new DurableEvent(tenant, firstSeq + i, e.name(), e.audience(), e.conversationId(),
                    e.contactId(), e.userId(), payloads.get(i)));
        }
        var statement = session.createNativeQuery(sql.toString()).setParameter("tenant", tenant);
        for (int i = 0; i < events.size(); i++) {
            DurableEvent e = appended.get(i);
            statement.setParameter("seq" + i, e.seq())
                    .setParameter("name" + i, e.name())
                    .setParameter("audience" + i, e.audience().name())
                    .setParameter("conversation" + i, e.conversationId())
                    .setParameter("contact" + i, e.contactId())
                    .setParameter("user" + i, e.userId())
                    .setParameter("payload" + i, e.payloadJson());
        }
        return statement.executeUpdate().replaceWith(appended);
    }

    /**
     * The same on a Vert.x SQL connection inside its transaction, for the set-based write paths: two
     * statements whose text does not depend on how many events there are.
     */
    public Uni<List<DurableEvent>> append(SqlConnection connection, String tenant, List<NewEvent> events) {
        if (events.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        int n = events.size();
        return connection.preparedQuery("update tenant set last_seq = last_seq + $2 where id = $1 returning last_seq")
                .execute(Tuple.of(tenant, (long) n))
                .chain(rows -> {
                    long firstSeq = rows.iterator().next().getLong(0) - n + 1;
                    List<DurableEvent> appended = new ArrayList<>(n);
                    Long[] seqs = new Long[n];
                    String[] names = new String[n];
                    String[] audiences = new String[n];
                    UUID[] conversations = new UUID[n];
                    UUID[] contacts = new UUID[n];
                    String[] users = new String[n];
                    String[] payloads = new String[n];
                    for (int i = 0; i < n; i++) {
                        NewEvent e = events.get(i);
                        DurableEvent d = new DurableEvent(tenant, firstSeq + i, e.name(), e.audience(),
                                e.conversationId(), e.contactId(), e.userId(), serialize(e));
                        appended.add(d);
                        seqs[i] = d.seq();
                        names[i] = d.name();
                        audiences[i] = d.audience().name();
                        conversations[i] = d.conversationId();
                        contacts[i] = d.contactId();
                        users[i] = d.userId();
                        payloads[i] = d.payloadJson();
                    }
                    return connection.preparedQuery("""
                                    insert into event (tenant_id, seq, name, audience, conversation_id, contact_id, user_id,
                                                       payload)
                                    select $1, e.seq, e.name, e.audience, e.conversation, e.contact, e.user_id,
                                           cast(e.payload as jsonb)
                                      from unnest($2::bigint[], $3::text[], $4::text[], $5::uuid[], $6::uuid[], $7::text[],
                                                  $8::text[]) as e(seq, name, audience, conversation, contact, user_id, payload)""")
                            .execute(Tuple.from(new Object[] {tenant, seqs, names, audiences, conversations, contacts,
                                    users, payloads}))
                            .replaceWith(appended);
                });
    }

    private String serialize(NewEvent event) {
        return JsonText.of(json, event.payload());
    }
}
