package io.wagateway.media;

import java.util.UUID;

/** A media as the {@code media} table holds it (never Meta's download URL, which is not stored). */
public record MediaRow(UUID id, String tenant, String direction, UUID messageId, String status, String mimeType,
                       String filename, Long size, String sha256, String store, Integer chunkSize,
                       String metaMediaId, UUID phoneNumberId) {

    public static final String PENDING = "pending";
    public static final String AVAILABLE = "available";
    public static final String UNAVAILABLE = "unavailable";
}
