package io.wagateway.outbound;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.wagateway.config.JsonText;
import io.wagateway.conversation.Conversation;
import io.wagateway.conversation.ConversationQueries;
import io.wagateway.conversation.ConversationStore;
import io.wagateway.conversation.Ids;
import io.wagateway.conversation.Message;
import io.wagateway.conversation.ViewMapper;
import io.wagateway.fanout.DurableEvent;
import io.wagateway.fanout.EventLog;
import io.wagateway.fanout.FanoutService;
import io.wagateway.fanout.NewEvent;
import io.wagateway.phonenumber.Numbers;
import io.wagateway.phonenumber.PhoneNumber;
import io.wagateway.protocol.ClientEvent.SendMessage;
import io.wagateway.protocol.ErrorCode;
import io.wagateway.protocol.ProtocolException;
import io.wagateway.security.ClientIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import org.hibernate.reactive.mutiny.Mutiny;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@code send_message}, the storing half: validate, find or open the conversation, check the
 * 24-hour window, and in one transaction store the message as {@code pending}, its outbox row
 * and its {@code new_message} / {@code conversation_updated} events. Idempotent on
 * {@code clientMessageId} per tenant: a repeat returns the first message and stores nothing.
 * {@link OutboxSender} does the calling half.
 */
@ApplicationScoped
public class OutboundMessageService {

    /** The stored (or earlier) message; {@code job} is set when this call created a send to start now. */
    public record Accepted(UUID messageId, String clientMessageId, String status, boolean created,
                           OutboxSender.Job job) {}

    private final ObjectMapper json;
    private final ConversationQueries queries;
    private final EventLog eventLog;
    private final FanoutService fanout;
    private final ViewMapper views;
    private final Outbox outbox;
    private final ConversationStore store;

    public OutboundMessageService(ObjectMapper json, ConversationQueries queries, EventLog eventLog,
                                  FanoutService fanout, ViewMapper views, Outbox outbox, ConversationStore store) {
        this.store = store;
        this.outbox = outbox;
        this.json = json;
        this.queries = queries;
        this.eventLog = eventLog;
        this.fanout = fanout;
        this.views = views;
    }

    public Uni<Accepted> send(ClientIdentity me, SendMessage request) {
        String to = Numbers.digits(request.to());
        if (to.length() < 6 || to.length() > 15) {
            return Uni.createFrom().failure(ProtocolException.badRequest("to must be a phone number of 6 to 15 digits"));
        }
        return Panache.withTransaction(() -> earlier(me.tenant(), request.clientMessageId())
                        .chain(existing -> existing != null ? Uni.createFrom().item(new Stored(existing, List.of()))
                                : store(me, request, to)))
                .invoke(stored -> fanout.publishCommitted(stored.events()))
                .map(Stored::accepted);
    }

    private record Stored(Accepted accepted, List<DurableEvent> events) {}

    private Uni<Accepted> earlier(String tenant, String clientMessageId) {
        if (clientMessageId == null) {
            return Uni.createFrom().nullItem();
        }
        return Message.<Message>find("tenantId = ?1 and clientMessageId = ?2", tenant, clientMessageId).firstResult()
                .map(m -> m == null ? null : new Accepted(m.id, m.clientMessageId, m.status, false, null));
    }

    private Uni<Stored> store(ClientIdentity me, SendMessage request, String to) {
        String type = request.type() == null ? "text" : request.type();
        return conversation(me.tenant(), request.conversationId(), to).chain(conversation -> {
            if (!"template".equals(type) && !ViewMapper.windowOpen(conversation.lastInboundAt, Instant.now())) {
                throw new ProtocolException(ErrorCode.OUTSIDE_WINDOW,
                        "the customer has not written in the last 24 hours: only templates can be sent");
            }
            return wamidOf(conversation, request.replyTo(), "replyTo")
                    .chain(reply -> wamidOf(conversation, reactionTarget(request), "reaction.messageId")
                            .chain(reacted -> insert(me, request, to, conversation, reply, reacted)));
        });
    }

    private Uni<Stored> insert(ClientIdentity me, SendMessage request, String to, Conversation conversation,
                               String replyWamid, String reactionWamid) {
        UUID messageId = UUID.randomUUID();
        GraphPayloads.Prepared prepared = GraphPayloads.prepare(json, request, to, messageId.toString(), replyWamid,
                reactionWamid);
        PhoneNumber number = conversation.phoneNumber;
        return Panache.getSession().chain(session -> session.createNativeQuery("""
                        insert into message (id, tenant_id, conversation_id, direction, type, content, media, template,
                                             reaction, location, reply_to, client_message_id, status, sent_by, ts)
                        values (:id, :tenant, :conversation, 'outbound', :type, :content,
                                cast(cast(:media as text) as jsonb), cast(cast(:template as text) as jsonb),
                                cast(cast(:reaction as text) as jsonb), cast(cast(:location as text) as jsonb),
                                :replyTo, :clientMessageId, 'pending', :sentBy, now())
                        on conflict (tenant_id, client_message_id) do nothing""")
                .setParameter("id", messageId)
                .setParameter("tenant", me.tenant())
                .setParameter("conversation", conversation.id)
                .setParameter("type", prepared.type())
                .setParameter("content", prepared.content())
                .setParameter("media", JsonText.of(json, prepared.media()))
                .setParameter("template", JsonText.of(json, prepared.template()))
                .setParameter("reaction", JsonText.of(json, prepared.reaction()))
                .setParameter("location", JsonText.of(json, prepared.location()))
                .setParameter("replyTo", replyWamid)
                .setParameter("clientMessageId", request.clientMessageId())
                .setParameter("sentBy", me.userId())
                .executeUpdate()
                .chain(inserted -> inserted == 0
                        // a concurrent retry with the same clientMessageId won the race
                        ? earlier(me.tenant(), request.clientMessageId()).map(a -> new Stored(a, List.of()))
                        : outbox.enqueue(me.tenant(), number, messageId, "send", to, prepared.body())
                        .chain(job -> afterInsert(session, conversation, messageId)
                                .map(events -> new Stored(new Accepted(messageId, request.clientMessageId(),
                                        "pending", true, job), events)))));
    }

    private Uni<List<DurableEvent>> afterInsert(Mutiny.Session session, Conversation conversation, UUID messageId) {
        return session.createNativeQuery("""
                        update conversation set last_message_id = :message, last_activity_at = now(), updated_at = now()
                         where id = :conversation""")
                .setParameter("message", messageId)
                .setParameter("conversation", conversation.id)
                .executeUpdate()
                .chain(() -> store.withView(conversation.id))
                .chain(fresh -> Message.<Message>findById(messageId).chain(message -> eventLog.append(fresh.tenantId,
                        List.of(NewEvent.forMessage("new_message", fresh.id, fresh.contact.id, fresh.assigneeId,
                                        views.message(message, fresh)),
                                NewEvent.forTenant("conversation_updated", views.conversation(fresh))))));
    }

    /** The named conversation (it must be the recipient's), or the recipient's with the tenant's number. */
    private Uni<Conversation> conversation(String tenant, String conversationId, String to) {
        if (conversationId != null) {
            return queries.conversation(tenant, conversationId).map(c -> {
                if (!to.equals(c.contact.waId)) {
                    throw ProtocolException.badRequest("to is not the customer of this conversation");
                }
                return c;
            });
        }
        return queries.defaultNumber(tenant)
                .onItem().ifNull().failWith(() -> ProtocolException.notFound("WhatsApp number of this tenant"))
                .chain(number -> store.open(number, to));
    }

    /** Our message id or a WhatsApp id of this conversation -> the WhatsApp id Meta needs. */
    private Uni<String> wamidOf(Conversation conversation, String reference, String field) {
        if (reference == null) {
            return Uni.createFrom().nullItem();
        }
        UUID id = Ids.parse(reference).orElse(null);
        Uni<Message> target = id != null
                ? Message.find("id = ?1 and conversationId = ?2", id, conversation.id).firstResult()
                : Message.find("waMessageId = ?1 and conversationId = ?2", reference, conversation.id).firstResult();
        return target.map(m -> {
            if (m == null || m.waMessageId == null) {
                throw ProtocolException.badRequest(field + " is not a sent or received message of this conversation");
            }
            return m.waMessageId;
        });
    }

    private static String reactionTarget(SendMessage request) {
        if (!"reaction".equals(request.type()) || request.reaction() == null) {
            return null;
        }
        return request.reaction().path("messageId").asText(null);
    }

}
