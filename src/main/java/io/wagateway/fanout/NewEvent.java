package io.wagateway.fanout;

import java.util.UUID;

/** An event to append in the transaction that makes the change it describes. */
public record NewEvent(String name, Audience audience, UUID conversationId, UUID contactId, String userId,
                       Object payload) {

    public static NewEvent forMessage(String name, UUID conversationId, UUID contactId, String assignee,
                                      Object payload) {
        return new NewEvent(name, Audience.MESSAGE, conversationId, contactId, assignee, payload);
    }

    public static NewEvent forTenant(String name, Object payload) {
        return new NewEvent(name, Audience.TENANT, null, null, null, payload);
    }
}
