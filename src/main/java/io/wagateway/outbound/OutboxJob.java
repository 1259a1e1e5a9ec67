package io.wagateway.outbound;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.UUID;

/**
 * An outbox row this instance owns, ready to go to the Graph API.
 *
 * @param messageId the message a {@code send} delivers; null for a read mark or typing indicator
 * @param kind      {@code send} or {@code read}
 */
public record OutboxJob(UUID id, String tenant, String phoneNumberId, String accessToken, UUID messageId, String kind,
                        String recipient, JsonNode payload, int attempts) {}
