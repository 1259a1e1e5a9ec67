package io.wagateway.conversation;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.wagateway.phonenumber.PhoneNumber;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.UUID;

/**
 * Conversation writes shared by the Hibernate Reactive write paths. Upserts, so that concurrent
 * first messages of one customer meet on the unique keys instead of failing. Must run inside a
 * transaction.
 */
@ApplicationScoped
public class ConversationStore {

    /** The conversation's id, and whether this call created it. */
    public record Opened(UUID id, boolean created) {}

    public Uni<Opened> upsertConversation(PhoneNumber number, UUID contactId) {
        // "do update" rather than "do nothing" so that the existing row's id is returned (and locked);
        // xmax = 0 only on a freshly inserted row
        return Panache.getSession().chain(session -> session.createNativeQuery("""
                        insert into conversation (id, tenant_id, contact_id, phone_number_id)
                        values (:id, :tenant, :contact, :number)
                        on conflict (contact_id, phone_number_id) do update set tenant_id = excluded.tenant_id
                        returning id, xmax = 0""", Object[].class)
                .setParameter("id", UUID.randomUUID())
                .setParameter("tenant", number.tenantId)
                .setParameter("contact", contactId)
                .setParameter("number", number.id)
                .getSingleResult()
                .map(row -> new Opened((UUID) row[0], (Boolean) row[1])));
    }

    /**
     * A conversation with what its view needs (contact, number, last message), as the database has
     * it now. The session is flushed and cleared first: the writers change conversations with
     * native statements, which a managed copy in the session would not reflect.
     */
    public Uni<Conversation> withView(UUID conversationId) {
        return Panache.getSession().chain(session -> session.flush().invoke(session::clear))
                .chain(() -> Conversation.find("""
                        select c from Conversation c join fetch c.contact join fetch c.phoneNumber
                        left join fetch c.lastMessage where c.id = ?1""", conversationId).firstResult());
    }
}
