package io.wagateway.conversation;

import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import io.wagateway.phonenumber.Numbers;
import io.wagateway.phonenumber.PhoneNumber;
import io.wagateway.phonenumber.PhoneNumberRepository;
import io.wagateway.protocol.ProtocolException;
import io.wagateway.protocol.Views;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * The read requests of the WebSocket API. Every query is scoped to the caller's tenant: an id
 * of another tenant is indistinguishable from an id that does not exist.
 */
@ApplicationScoped
@WithSession
public class ConversationQueries {

    public static final int DEFAULT_LIMIT = 50;

    private static final String CONVERSATION_WITH_VIEW = """
            select c from Conversation c join fetch c.contact join fetch c.phoneNumber
            left join fetch c.lastMessage""";

    private final PhoneNumberRepository numbers;
    private final ViewMapper views;

    public ConversationQueries(PhoneNumberRepository numbers, ViewMapper views) {
        this.numbers = numbers;
        this.views = views;
    }

    public Uni<Page<Views.Contact>> contacts(String tenant, String search, Integer limit, String cursor) {
        int size = limit == null ? DEFAULT_LIMIT : limit;
        StringBuilder where = new StringBuilder("tenantId = :tenant");
        Map<String, Object> params = new HashMap<>();
        params.put("tenant", tenant);
        if (search != null && !search.isBlank()) {
            String term = search.trim().toLowerCase();
            String digits = Numbers.digits(term);
            where.append(digits.isEmpty() ? " and lower(name) like :text escape '\\'"
                    : " and (lower(name) like :text escape '\\' or waId like :digits)");
            params.put("text", "%" + escapeLike(term) + "%");
            if (!digits.isEmpty()) {
                params.put("digits", "%" + digits + "%");
            }
        }
        if (cursor != null) {
            Cursors.Decoded after = Cursors.decode(cursor);
            where.append(" and (sortName > :sortName or (sortName = :sortName and id > :id))");
            params.put("sortName", after.key());
            params.put("id", after.id());
        }
        return Contact.<Contact>find(where + " order by sortName, id", params).range(0, size).list()
                .map(rows -> page(rows, size, c -> Cursors.encode(c.sortName, c.id))
                        .map(views::contact));
    }

    /**
     * @param phoneNumberId only the conversations of this number of the tenant; a number the tenant
     *                      does not have is {@code not_found} (as elsewhere), not an empty page
     */
    public Uni<Page<Views.Conversation>> conversations(String tenant, Integer limit, String cursor, String status,
                                                       String assignedTo, String phoneNumberId) {
        if (phoneNumberId == null) {
            return conversationsOf(tenant, limit, cursor, status, assignedTo, null);
        }
        return numbers.findByTenantAndMetaId(tenant, phoneNumberId)
                .onItem().ifNull().failWith(() -> ProtocolException.notFound("WhatsApp number " + phoneNumberId))
                .chain(number -> conversationsOf(tenant, limit, cursor, status, assignedTo, number));
    }

    private Uni<Page<Views.Conversation>> conversationsOf(String tenant, Integer limit, String cursor, String status,
                                                          String assignedTo, PhoneNumber number) {
        int size = limit == null ? DEFAULT_LIMIT : limit;
        StringBuilder query = new StringBuilder(CONVERSATION_WITH_VIEW).append(" where c.tenantId = :tenant");
        Map<String, Object> params = new HashMap<>();
        params.put("tenant", tenant);
        if (status != null) {
            query.append(" and c.status = :status");
            params.put("status", status);
        }
        if (assignedTo != null) {
            query.append(" and c.assigneeId = :assignee");
            params.put("assignee", assignedTo);
        }
        if (number != null) {
            query.append(" and c.phoneNumber.id = :number");
            params.put("number", number.id);
        }
        if (cursor != null) {
            Cursors.Decoded after = Cursors.decode(cursor);
            Instant at;
            try {
                at = Instant.parse(after.key());
            } catch (RuntimeException e) {
                throw ProtocolException.badRequest("cursor is not valid");
            }
            query.append(" and (c.lastActivityAt < :at or (c.lastActivityAt = :at and c.id < :id))");
            params.put("at", at);
            params.put("id", after.id());
        }
        query.append(" order by c.lastActivityAt desc, c.id desc");
        return Conversation.<Conversation>find(query.toString(), params).range(0, size).list()
                .map(rows -> page(rows, size, c -> Cursors.encode(c.lastActivityAt.toString(), c.id))
                        .map(views::conversation));
    }

    /** Chronological; {@code nextCursor} is the id to pass as {@code before} for the older page. */
    public Uni<Page<Views.Message>> messages(String tenant, String conversationId, Integer limit, String before) {
        int size = limit == null ? DEFAULT_LIMIT : limit;
        return conversation(tenant, conversationId).chain(conversation -> {
            Uni<Message> anchor = before == null ? Uni.createFrom().nullItem() : Ids.parse(before)
                    .map(id -> Message.<Message>find("id = ?1 and conversationId = ?2", id, conversation.id)
                            .firstResult())
                    .orElse(Uni.createFrom().nullItem())
                    .onItem().ifNull().failWith(() -> ProtocolException.notFound("message"));
            return anchor.chain(from -> {
                String where = "conversationId = :conversation"
                        + (from == null ? "" : " and (timestamp < :ts or (timestamp = :ts and pos < :pos))");
                Map<String, Object> params = new HashMap<>();
                params.put("conversation", conversation.id);
                if (from != null) {
                    params.put("ts", from.timestamp);
                    params.put("pos", from.pos);
                }
                return Message.<Message>find(where + " order by timestamp desc, pos desc", params)
                        .range(0, size).list()
                        .map(rows -> {
                            Page<Message> newestFirst = page(rows, size, m -> m.id.toString());
                            return new Page<>(chronological(newestFirst.items(), m -> views.message(m, conversation)),
                                    newestFirst.nextCursor());
                        });
            });
        });
    }

    /**
     * Messages between a business number of the tenant and a contact's number, in either order.
     * {@code offset} counts back from the newest message.
     */
    public Uni<List<Views.Message>> messagesBetween(String tenant, String fromNumber, String toNumber, Integer limit,
                                                    Integer offset) {
        int size = limit == null ? DEFAULT_LIMIT : limit;
        int skip = offset == null ? 0 : offset;
        String from = Numbers.digits(fromNumber);
        String to = Numbers.digits(toNumber);
        if (from.isEmpty() || to.isEmpty()) {
            return Uni.createFrom().failure(ProtocolException.badRequest("fromNumber and toNumber must be phone numbers"));
        }
        return businessSide(tenant, from, to)
                .chain(pair -> conversationBetween(tenant, pair))
                .chain(conversation -> conversation == null ? Uni.createFrom().item(List.<Views.Message>of())
                        : newestMessages(conversation, skip, size));
    }

    /** Which of the two numbers is the tenant's business number, and which the customer's. */
    private Uni<Pair> businessSide(String tenant, String first, String second) {
        return numbers.findByTenantAndDisplayNumber(tenant, first)
                .chain(n -> n != null ? Uni.createFrom().item(new Pair(n, second))
                        : numbers.findByTenantAndDisplayNumber(tenant, second)
                        .map(m -> m == null ? null : new Pair(m, first)))
                .onItem().ifNull().failWith(() -> ProtocolException.notFound("business number"));
    }

    private Uni<Conversation> conversationBetween(String tenant, Pair pair) {
        return Conversation.find(CONVERSATION_WITH_VIEW
                        + " where c.tenantId = ?1 and c.phoneNumber = ?2 and c.contact.waId = ?3",
                tenant, pair.number(), pair.customer()).firstResult();
    }

    private Uni<List<Views.Message>> newestMessages(Conversation conversation, int skip, int size) {
        return Message.<Message>find("conversationId = ?1 order by timestamp desc, pos desc", conversation.id)
                .range(skip, skip + size - 1).list()
                .map(rows -> chronological(rows, m -> views.message(m, conversation)));
    }

    /** The tenant's conversation with its view associations, or {@code not_found}. */
    public Uni<Conversation> conversation(String tenant, String conversationId) {
        UUID id = Ids.parse(conversationId).orElse(null);
        if (id == null) {
            return Uni.createFrom().failure(ProtocolException.notFound("conversation"));
        }
        return Conversation.<Conversation>find(CONVERSATION_WITH_VIEW + " where c.id = ?1 and c.tenantId = ?2",
                        id, tenant).firstResult()
                .onItem().ifNull().failWith(() -> ProtocolException.notFound("conversation"));
    }

    /** The tenant's contact, or {@code not_found}. */
    public Uni<Contact> contact(String tenant, String contactId) {
        UUID id = Ids.parse(contactId).orElse(null);
        if (id == null) {
            return Uni.createFrom().failure(ProtocolException.notFound("customer"));
        }
        return Contact.<Contact>find("id = ?1 and tenantId = ?2", id, tenant).firstResult()
                .onItem().ifNull().failWith(() -> ProtocolException.notFound("customer"));
    }

    public Uni<PhoneNumber> defaultNumber(String tenant) {
        return numbers.findDefault(tenant);
    }

    private record Pair(PhoneNumber number, String customer) {}

    /** Fetched one past the page size? Then there is a next page, starting after the last kept row. */
    private static <E> Page<E> page(List<E> rows, int size, Function<E, String> cursorOf) {
        if (rows.size() <= size) {
            return new Page<>(rows, null);
        }
        List<E> kept = rows.subList(0, size);
        return new Page<>(kept, cursorOf.apply(kept.get(size - 1)));
    }

    private static <E, V> List<V> chronological(List<E> newestFirst, Function<E, V> view) {
        List<V> out = new ArrayList<>(newestFirst.size());
        newestFirst.forEach(m -> out.add(view.apply(m)));
        Collections.reverse(out);
        return out;
    }

    private static String escapeLike(String term) {
        return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }
}
