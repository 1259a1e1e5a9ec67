package io.wagateway.security;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;

/** HMAC-SHA256, the one MAC the gateway uses: Meta's webhook signatures, signed media URLs, forwarded events. */
public final class HmacSha256 {

    private HmacSha256() {
    }

    /** A Mac keyed with {@code key}, ready for {@code doFinal} (which resets it for the next message). */
    public static Mac keyed(byte[] key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e); // every Java SE has it
        }
    }

    public static byte[] sign(byte[] key, byte[] message) {
        return keyed(key).doFinal(message);
    }
}
