package io.wagateway.fanout;
import java.util.UUID;

/**
 * A pushed event that is not logged (typing, presence, agent status, WhatsApp status): delivered
 * to the matching connections of every instance, once, with no seq and no replay.
 *
 * @param conversationId null for the whole tenant, else only that conversation's room
 * @param excludeUser    a user who must not receive it (the typist), or null
 */
public record Ephemeral(String tenant, String frame, UUID conversationId, String excludeUser) {}
