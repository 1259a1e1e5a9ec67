package io.wagateway.conversation;

import io.wagateway.protocol.ProtocolException;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;

/** Opaque keyset cursors: base64url of "key \u0000 id". A cursor that does not decode is a bad request. */
final class Cursors {

    private static final char SEPARATOR = '\u0000';

    private Cursors() {
    }

    record Decoded(String key, UUID id) {}

    static String encode(String key, UUID id) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((key + SEPARATOR + id).getBytes(StandardCharsets.UTF_8));
    }

    static Decoded decode(String cursor) {
        try {
            String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            int at = raw.lastIndexOf(SEPARATOR);
            return new Decoded(raw.substring(0, at), UUID.fromString(raw.substring(at + 1)));
        } catch (RuntimeException e) {
            throw ProtocolException.badField("cursor", "cursor is not valid");
        }
    }
}
