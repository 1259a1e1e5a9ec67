package io.wagateway.bench;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * Meta-shaped webhook bodies for one inbound text message, and their signature. The body is
 * built as text (no JSON library on the hot path) and signed over its exact bytes, as Meta does.
 */
final class Webhooks {

    private final String wabaId;
    private final String display;
    private final String phoneNumberId;
    private final String waPrefix;
    private final byte[] secret;
    /** Mac is not thread-safe: one per thread (the sender thread, the seeding thread). */
    private final ThreadLocal<Mac> macs;
    /** Unique per harness run, so that wamids never repeat across runs on the same database (dedupe). */
    private final String runId;

    Webhooks(String wabaId, String display, String phoneNumberId, String waPrefix, String secret) {
        this.wabaId = wabaId;
        this.display = display;
        this.phoneNumberId = phoneNumberId;
        this.waPrefix = waPrefix;
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
        this.macs = ThreadLocal.withInitial(this::newMac);
        this.runId = Long.toString(System.currentTimeMillis(), 36);
    }

    /** The customer's WhatsApp id: digits only, as the service stores it. */
    String waId(int customer) {
        return waPrefix + String.format("%05d", customer);
    }

    /** Seed message i for customer i: creates the contact and its conversation. */
    byte[] seed(int customer) {
        return body(customer, "wamid.bench." + runId + ".seed." + customer, "bench-seed|" + customer);
    }

    /**
     * Message k of the run. The content carries k and the scheduled send time (System.nanoTime of
     * this process): the receiving client computes the latency from it without any lookup.
     */
    byte[] message(long k, int customer, long scheduledNanos) {
        return body(customer, "wamid.bench." + runId + "." + k, "bench|" + k + "|" + scheduledNanos);
    }

    private byte[] body(int customer, String wamid, String content) {
        String waId = waId(customer);
        long now = System.currentTimeMillis() / 1000;
        return ("{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"" + wabaId + "\",\"changes\":[{"
                + "\"field\":\"messages\",\"value\":{\"messaging_product\":\"whatsapp\","
                + "\"metadata\":{\"display_phone_number\":\"" + display + "\",\"phone_number_id\":\"" + phoneNumberId + "\"},"
                + "\"contacts\":[{\"profile\":{\"name\":\"Customer " + customer + "\"},\"wa_id\":\"" + waId + "\"}],"
                + "\"messages\":[{\"from\":\"" + waId + "\",\"id\":\"" + wamid + "\",\"timestamp\":\"" + now + "\","
                + "\"type\":\"text\",\"text\":{\"body\":\"" + content + "\"}}]}}]}]}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** {@code X-Hub-Signature-256}: sha256=lowercase hex HMAC-SHA256 of the exact body bytes. */
    String signature(byte[] body) {
        return "sha256=" + HexFormat.of().formatHex(macs.get().doFinal(body));
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac;
        } catch (Exception e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
