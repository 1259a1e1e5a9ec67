package io.wagateway.conversation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.wagateway.config.AppConfig;
import io.wagateway.fanout.DurableEvent;
import io.wagateway.fanout.EventLog;
import io.wagateway.fanout.FanoutService;
import io.wagateway.fanout.NewEvent;
import io.wagateway.phonenumber.Numbers;
import io.wagateway.phonenumber.PhoneNumber;
import io.wagateway.phonenumber.PhoneNumberRepository;
import jakarta.enterprise.context.ApplicationScoped;
import org.hibernate.reactive.mutiny.Mutiny;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Stores a customer's message: upserts the contact and the conversation, inserts the message
 * (unique on the WhatsApp message id, so a redelivery changes nothing), moves the unread count
 * and the window, and appends {@code new_message} and {@code conversation_updated}, all in one
 * transaction. The events are pushed after commit.
 */
@ApplicationScoped
public class InboundMessageService {

    public enum Outcome { STORED, DUPLICATE, UNKNOWN_NUMBER }

    public record Result(Outcome outcome, UUID messageId, UUID conversationId, List<DurableEvent> events) {
        static Result of(Outcome outcome) {
            return new Result(outcome, null, null, List.of());
        }
    }

    private final PhoneNumberRepository numbers;
    private final EventLog eventLog;
    private final FanoutService publisher;
    private final ViewMapper views;
    private final ObjectMapper json;
    private final AppConfig.Events.ConversationUpdates conversationUpdates;
    private final ConversationStore store;

    public InboundMessageService(PhoneNumberRepository numbers, EventLog eventLog, FanoutService publisher,
                                 ViewMapper views, ObjectMapper json, AppConfig config, ConversationStore store) {
        this.store = store;
        this.conversationUpdates = config.events().conversationUpdates();
        this.numbers = numbers;
        this.eventLog = eventLog;
        this.publisher = publisher;
        this.views = views;
        this.json = json;
    }

    public Uni<Result> record(InboundMessage message) {
        return Panache.withTransaction(() -> store(message))
                .invoke(result -> publisher.publishCommitted(result.events()));
    }

    private Uni<Result> store(InboundMessage m) {
        return numbers.findByMetaId(m.phoneNumberId()).chain(number -> number == null
                ? Uni.createFrom().item(Result.of(Outcome.UNKNOWN_NUMBER))
                : Panache.getSession().chain(session -> store(session, number, m)));
    }

    private Uni<Result> store(Mutiny.Session session, PhoneNumber number, InboundMessage m) {
        String waId = Numbers.digits(m.fromWaId());
        UUID messageId = UUID.randomUUID();
        return store.upsertContact(number.tenantId, waId, m.profileName())
                .chain(contactId -> store.upsertConversation(number, contactId)
                        .chain(conversationId -> insertMessage(session, number.tenantId, conversationId, messageId, m)
                                .chain(inserted -> inserted == 0
                                        ? Uni.createFrom().item(Result.of(Outcome.DUPLICATE))
                                        : afterInsert(session, number.tenantId, contactId, conversationId, messageId, m))));
    }

    private Uni<Result> afterInsert(Mutiny.Session session, String tenant, UUID contactId, UUID conversationId,
                                    UUID messageId, InboundMessage m) {
        return session.createNativeQuery("""
                        update conversation
                           set unread_count = unread_count + case when read_up_to_ts is null
                                   or :ts >= read_up_to_ts then 1 else 0 end, -- a late old message stays read
                               status = 'open', updated_at = now(),
                               last_inbound_at = greatest(last_inbound_at, :ts),
                               last_activity_at = greatest(last_activity_at, :ts),
                               last_message_id = case when last_message_id is null
                                   or :ts >= (select ts from message where id = conversation.last_message_id)
                                   then :message else last_message_id end
                         where id = :conversation""")
                .setParameter("ts", m.timestamp())
                .setParameter("message", messageId)
                .setParameter("conversation", conversationId)
                .executeUpdate()
                .chain(() -> session.createNativeQuery("""
                                update contact set last_message_at = greatest(last_message_at, :ts), updated_at = now()
                                 where id = :contact""")
                        .setParameter("ts", m.timestamp()).setParameter("contact", contactId).executeUpdate())
                .chain(() -> store.withView(conversationId))
                .chain(conversation -> message(messageId).chain(message -> eventLog.append(tenant, List.of(
                        NewEvent.forMessage("new_message", conversationId, contactId, conversation.assigneeId,
                                views.message(message, conversation)),
                        conversationUpdated(conversation, contactId)))))
                .map(events -> new Result(Outcome.STORED, messageId, conversationId, events));
    }

    private NewEvent conversationUpdated(Conversation conversation, UUID contactId) {
        var view = views.conversation(conversation);
        return conversationUpdates == AppConfig.Events.ConversationUpdates.rooms
                ? NewEvent.forMessage("conversation_updated", conversation.id, contactId, conversation.assigneeId, view)
                : NewEvent.forTenant("conversation_updated", view);
    }

    private static Uni<Message> message(UUID messageId) {
        return Message.findById(messageId);
    }

    private Uni<Integer> insertMessage(Mutiny.Session session, String tenant, UUID conversationId, UUID messageId,
                                       InboundMessage m) {
        return session.createNativeQuery("""
                        insert into message (id, tenant_id, conversation_id, direction, type, content, media, reaction,
                                             location, extra, reply_to, wa_message_id, status, error, ts)
                        values (:id, :tenant, :conversation, 'inbound', :type, :content, cast(cast(:media as text) as jsonb),
                                cast(cast(:reaction as text) as jsonb), cast(cast(:location as text) as jsonb), cast(cast(:extra as text) as jsonb), :replyTo,
                                :wamid, 'received', cast(cast(:error as text) as jsonb), :ts)
                        on conflict (wa_message_id) do nothing""")
                .setParameter("id", messageId)
                .setParameter("tenant", tenant)
                .setParameter("conversation", conversationId)
                .setParameter("type", m.type())
                .setParameter("content", m.content())
                .setParameter("media", jsonb(m.media()))
                .setParameter("reaction", jsonb(m.reaction()))
                .setParameter("location", jsonb(m.location()))
                .setParameter("extra", jsonb(m.extra()))
                .setParameter("replyTo", m.replyTo())
                .setParameter("wamid", m.waMessageId())
                .setParameter("error", jsonb(m.error()))
                .setParameter("ts", m.timestamp())
                .executeUpdate();
    }

    private String jsonb(Map<String, Object> value) {
        if (value == null) {
            return null;
        }
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not serializable as JSON", e);
        }
    }
}
