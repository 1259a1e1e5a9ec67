package io.wagateway.conversation;

import java.util.Optional;
import java.util.UUID;

/** Ids are opaque strings on the wire; one that is not ours simply finds nothing. */
public final class Ids {

    private Ids() {
    }

    public static Optional<UUID> parse(String id) {
        if (id == null || id.length() != 36) {
            return Optional.empty();
        }
        try {
            return Optional.of(UUID.fromString(id));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
