package io.wagateway.gateway;

import io.wagateway.fanout.DurableEvent;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

/**
 * The rooms one connection joined, and so which durable events it is entitled to (PROTOCOL.md,
 * "Server -> client events"), live and on resume. Not thread-safe: touched only on the
 * connection's event loop.
 */
final class SessionRooms {

    private Set<UUID> conversations; // created on first join: most connections join one room or none
    private Set<UUID> customers;
    private boolean general;

    void joinConversation(UUID id) {
        if (conversations == null) {
            conversations = new HashSet<>(4);
        }
        conversations.add(id);
    }

    boolean leaveConversation(UUID id) {
        return conversations != null && conversations.remove(id);
    }

    void joinCustomer(UUID id) {
        if (customers == null) {
            customers = new HashSet<>(4);
        }
        customers.add(id);
    }

    boolean leaveCustomer(UUID id) {
        return customers != null && customers.remove(id);
    }

    void joinGeneral() {
        general = true;
    }

    boolean general() {
        return general;
    }

    Set<UUID> conversations() {
        return conversations == null ? Set.of() : conversations;
    }

    Set<UUID> customers() {
        return customers == null ? Set.of() : customers;
    }

    /** Would a connection of {@code tenant} and {@code userId} in these rooms receive the event? */
    boolean entitle(DurableEvent event, String tenant, String userId) {
        if (!event.tenant().equals(tenant)) {
            return false;
        }
        return switch (event.audience()) {
            case TENANT -> true;
            case USER -> userId.equals(event.userId());
            case CONVERSATION_ROOM -> inConversation(event.conversationId());
            case MESSAGE -> inConversation(event.conversationId())
                    || (event.contactId() != null && customers != null && customers.contains(event.contactId()))
                    || general
                    || userId.equals(event.userId());
        };
    }

    private boolean inConversation(UUID conversationId) {
        return conversationId != null && conversations != null && conversations.contains(conversationId);
    }
}
