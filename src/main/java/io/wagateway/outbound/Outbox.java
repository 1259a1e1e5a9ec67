package io.wagateway.outbound;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.wagateway.config.AppConfig;
import io.wagateway.config.InstanceId;
import io.wagateway.phonenumber.PhoneNumber;
import jakarta.enterprise.context.ApplicationScoped;

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
}
