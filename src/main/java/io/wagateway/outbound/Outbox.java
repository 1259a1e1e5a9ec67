package io.wagateway.outbound;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.wagateway.config.AppConfig;
import io.wagateway.config.CombinedWrite;
import io.wagateway.config.InstanceId;
import io.wagateway.phonenumber.PhoneNumber;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Writes outbox rows inside the caller's transaction: sends, and read receipts / typing
 * indicators, which must survive Meta outages just the same. A row is owned by this instance at
 * once when nothing earlier is pending for the recipient; the returned job is then to be
 * dispatched after commit.
 */
@ApplicationScoped
public class Outbox {

    private final String instance;
    private final double lockSeconds;

    public Outbox(InstanceId instanceId, AppConfig config) {
        this.instance = instanceId.value();
        this.lockSeconds = Math.max(1, config.whatsapp().sendLock().toSeconds());
    }

    /** @return the job to dispatch after commit, or null when an earlier row of the recipient goes first */
    public Uni<OutboxSender.Job> enqueue(String tenant, PhoneNumber number, UUID messageId, String kind,
                                         String recipient, ObjectNode payload) {
        UUID id = UUID.randomUUID();
        return Panache.getSession().chain(session -> session.createNativeQuery("""
                        insert into outbox (id, tenant_id, phone_number_id, message_id, kind, recipient, payload,
                                            locked_until, locked_by)
                        select :id, :tenant, :number, :message, :kind, :to, cast(cast(:payload as text) as jsonb),
                               case when head then now() + make_interval(secs => :lock) end,
                               case when head then cast(:me as text) end
                          from (select not exists (select 1 from outbox
                                 where phone_number_id = :number and recipient = :to) as head) h
                        returning locked_by is not null""", Boolean.class)
                .setParameter("id", id)
                .setParameter("tenant", tenant)
                .setParameter("number", number.id)
                .setParameter("message", messageId)
                .setParameter("kind", kind)
                .setParameter("to", recipient)
                .setParameter("payload", payload.toString())
                .setParameter("lock", lockSeconds)
                .setParameter("me", instance)
                .getSingleResult())
                .map(head -> head ? new OutboxSender.Job(id, tenant, number.phoneNumberId, number.accessToken,
                        messageId, kind, recipient, payload, 0) : null);
    }

    /** A send to enqueue with {@link #enqueueSendsIn}. */
    public record NewSend(UUID numberId, String phoneNumberId, String accessToken, UUID messageId, String recipient,
                          ObjectNode payload) {}

    /** In a {@link CombinedWrite} that enqueues sends: the main query's expression for the rows owned at once. */
    static final String HEADS = "array(select id from enqueued_send where head)";

    /** Sends added to a {@link CombinedWrite}; which ones to dispatch is known once it ran. */
    record EnqueuedSends(String tenant, List<NewSend> sends, UUID[] ids) {

        /**
         * @param heads what the statement's {@link #HEADS} returned
         * @return per send, in order, the job to dispatch after commit, or null
         */
        List<OutboxSender.Job> jobs(UUID[] heads) {
            Set<UUID> owned = Set.of(heads);
            List<OutboxSender.Job> jobs = new ArrayList<>(sends.size());
            for (int i = 0; i < sends.size(); i++) {
                NewSend send = sends.get(i);
                jobs.add(owned.contains(ids[i])
                        ? new OutboxSender.Job(ids[i], tenant, send.phoneNumberId(), send.accessToken(),
                        send.messageId(), "send", send.recipient(), send.payload(), 0)
                        : null);
            }
            return jobs;
        }
    }

    /**
     * The batch form of {@link #enqueue} for sends, as a part of the caller's write (its message rows
     * may be inserted by the same statement). Within the batch only a recipient's first send can be
     * first in line.
     */
    EnqueuedSends enqueueSendsIn(CombinedWrite write, String tenant, List<NewSend> sends) {
        int n = sends.size();
        UUID[] ids = new UUID[n];
        UUID[] numbers = new UUID[n];
        UUID[] messages = new UUID[n];
        String[] recipients = new String[n];
        String[] payloads = new String[n];
        Boolean[] first = new Boolean[n];
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < n; i++) {
            NewSend send = sends.get(i);
            ids[i] = UUID.randomUUID();
            numbers[i] = send.numberId();
            messages[i] = send.messageId();
            recipients[i] = send.recipient();
            payloads[i] = send.payload().toString();
            first[i] = seen.add(send.numberId() + "/" + send.recipient());
        }
        write.part("enqueued_send", """
                        insert into outbox (id, tenant_id, phone_number_id, message_id, kind, recipient, payload,
                                            locked_until, locked_by)
                        select o.id, $1, o.number, o.message, 'send', o.recipient, cast(o.payload as jsonb),
                               case when h.head then now() + make_interval(secs => $2) end,
                               case when h.head then $3 end
                          from unnest($4::uuid[], $5::uuid[], $6::uuid[], $7::text[], $8::text[], $9::bool[])
                               as o(id, number, message, recipient, payload, first)
                         cross join lateral (select o.first and not exists (select 1 from outbox e
                                where e.phone_number_id = o.number and e.recipient = o.recipient) as head) h
                        returning id, locked_by is not null as head""",
                tenant, lockSeconds, instance, ids, numbers, messages, recipients, payloads, first);
        return new EnqueuedSends(tenant, sends, ids);
    }
}
