package io.wagateway.fanout;

import java.util.UUID;

/**
 * An event to append in the transaction that makes the change it describes, addressed by
 * {@link Audiences}. {@code payload} is serialized as the frame's {@code data}.
 */
public record NewEvent(String name, Audience audience, UUID conversationId, UUID contactId, String userId,
                       Object payload) {}
