package io.wagateway.webhook;

import io.wagateway.config.AppConfig;
import io.wagateway.security.HmacSha256;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.crypto.Mac;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Checks {@code X-Hub-Signature-256: sha256=<hex>}: the HMAC-SHA256 of the raw request bytes
 * keyed with the app secret, compared in constant time. Never re-serialize before checking: Meta
 * escapes non-ASCII and '/' in ways a JSON library would not reproduce.
 */
@ApplicationScoped
public class SignatureVerifier {

    private static final String PREFIX = "sha256=";

    private final byte[] secret;
    /**
     * One keyed Mac per thread (event-loop threads are few): {@code Mac.getInstance} looks the
     * provider up and {@code init} derives the pads again, which showed in the webhook path's profile.
     * {@code doFinal} resets it for the next body.
     */
    private final ThreadLocal<Mac> keyedMac;

    @Inject
    public SignatureVerifier(AppConfig config) {
        this(config.whatsapp().appSecret().orElse(null));
    }

    /** @param appSecret Meta's App Secret, or null when none is configured (then nothing verifies) */
    SignatureVerifier(String appSecret) {
        this.secret = appSecret == null ? null : appSecret.getBytes(StandardCharsets.UTF_8);
        this.keyedMac = ThreadLocal.withInitial(() -> HmacSha256.keyed(secret));
    }

    public boolean configured() {
        return secret != null;
    }

    public boolean verify(byte[] body, String header) {
        if (secret == null || header == null || !header.startsWith(PREFIX)) {
            return false;
        }
        byte[] given;
        try {
            given = HexFormat.of().parseHex(header.substring(PREFIX.length()).trim());
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(keyedMac.get().doFinal(body), given);
    }

    /** {@code sha256=<hex>} for a body: what Meta sends, and what the sandbox simulator signs with. */
    public String header(byte[] body) {
        if (secret == null) {
            throw new IllegalStateException("app.whatsapp.app-secret is not configured");
        }
        return PREFIX + HexFormat.of().formatHex(keyedMac.get().doFinal(body));
    }

    static byte[] sign(byte[] key, byte[] body) {
        return HmacSha256.sign(key, body);
    }
}
