package io.wagateway.sandbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.wagateway.config.ReactiveContexts;
import io.wagateway.webhook.SignatureVerifier;
import io.wagateway.webhook.WebhookResource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Plays Meta in sandbox mode: builds webhook deliveries shaped like Meta's, signs them with the
 * app secret and hands them to the real webhook resource, so that they take exactly the path
 * Meta's deliveries take (signature check included).
 */
@ApplicationScoped
public class SandboxWebhookFeeder {

    private static final Logger LOG = Logger.getLogger(SandboxWebhookFeeder.class);

    private final WebhookResource webhook;
    private final SignatureVerifier signatures;
    private final ObjectMapper json;
    private final Vertx vertx;

    public SandboxWebhookFeeder(WebhookResource webhook, SignatureVerifier signatures, ObjectMapper json, Vertx vertx) {
        this.webhook = webhook;
        this.signatures = signatures;
        this.json = json;
        this.vertx = vertx;
    }

    /** A customer's text message to the number. */
    public Uni<Response> inbound(String phoneNumberId, String displayNumber, String from, String name, String text) {
        ObjectNode value = value(phoneNumberId, displayNumber);
        value.putArray("contacts").addObject().put("wa_id", from).putObject("profile").put("name", name);
        value.putArray("messages").addObject().put("from", from).put("id", "wamid.sandbox-" + UUID.randomUUID())
                .put("timestamp", String.valueOf(Instant.now().getEpochSecond())).put("type", "text")
                .putObject("text").put("body", text);
        return deliver(value);
    }

    /**
     * A customer's media message: {@code media} is the webhook's object for the type ({@code id},
     * {@code mime_type}, {@code sha256}, and a caption, file name or voice flag as the type has them).
     */
    public Uni<Response> inboundMedia(String phoneNumberId, String displayNumber, String from, String name, String type,
                                      ObjectNode media) {
        ObjectNode value = value(phoneNumberId, displayNumber);
        value.putArray("contacts").addObject().put("wa_id", from).putObject("profile").put("name", name);
        value.putArray("messages").addObject().put("from", from).put("id", "wamid.sandbox-" + UUID.randomUUID())
                .put("timestamp", String.valueOf(Instant.now().getEpochSecond())).put("type", type)
                .set(type, media);
        return deliver(value);
    }

    /** A status of a message the simulator accepted, delivered after {@code delayMs}. */
    public void statusLater(long delayMs, String phoneNumberId, String wamid, String status, String recipient,
                            String callbackData) {
        vertx.setTimer(delayMs, id -> ReactiveContexts.runOnNewSafeContext(vertx, () -> log(() -> {
            ObjectNode value = value(phoneNumberId, "");
            ObjectNode s = value.putArray("statuses").addObject().put("id", wamid).put("status", status)
                    .put("timestamp", String.valueOf(Instant.now().getEpochSecond())).put("recipient_id", recipient);
            if (callbackData != null) {
                s.put("biz_opaque_callback_data", callbackData);
            }
            return deliver(value);
        })));
    }

    private ObjectNode value(String phoneNumberId, String displayNumber) {
        ObjectNode value = json.createObjectNode().put("messaging_product", "whatsapp");
        value.putObject("metadata").put("display_phone_number", displayNumber).put("phone_number_id", phoneNumberId);
        return value;
    }

    private Uni<Response> deliver(ObjectNode value) {
        ObjectNode root = json.createObjectNode().put("object", "whatsapp_business_account");
        ArrayNode changes = root.putArray("entry").addObject().put("id", "sandbox-waba").putArray("changes");
        changes.addObject().put("field", "messages").set("value", value);
        byte[] body = root.toString().getBytes(StandardCharsets.UTF_8);
        return webhook.receive(signatures.header(body), body);
    }

    private static void log(Supplier<Uni<Response>> work) {
        work.get().subscribe().with(
                response -> LOG.debugf("sandbox webhook answered %d", response.getStatus()),
                failure -> LOG.warnf("sandbox webhook failed: %s", failure.getMessage()));
    }
}
