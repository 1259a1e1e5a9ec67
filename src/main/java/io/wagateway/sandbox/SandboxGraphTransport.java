package io.wagateway.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;
import io.wagateway.whatsapp.GraphTransport;
import io.wagateway.whatsapp.MediaDownload;
import io.wagateway.whatsapp.MetaError;
import io.wagateway.whatsapp.Sandboxed;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.file.Path;
import java.util.UUID;

/**
 * The Graph API as the sandbox simulator plays it: sends are accepted at once and their
 * {@code sent}, {@code delivered} and {@code read} statuses follow through the signed webhook
 * path; QR codes, the number's status and its approved templates answer plausibly. Used only when
 * {@code app.whatsapp.mode=sandbox}.
 */
@ApplicationScoped
@Sandboxed
public class SandboxGraphTransport implements GraphTransport {

    private final ObjectMapper json;
    private final SandboxWebhookFeeder feeder;
    private final SandboxMedia media;

    public SandboxGraphTransport(ObjectMapper json, SandboxWebhookFeeder feeder, SandboxMedia media) {
        this.json = json;
        this.feeder = feeder;
        this.media = media;
    }

    @Override
    public Uni<JsonNode> mediaInfo(String mediaId, String phoneNumberId, String accessToken) {
        return media.info(json, mediaId);
    }

    @Override
    public Uni<MediaDownload> download(String url, String accessToken, Path into) {
        return media.download(url, into);
    }

    @Override
    public Uni<JsonNode> uploadMedia(String phoneNumberId, String accessToken, Path file, String mimeType,
                                     String filename) {
        return media.upload(file, mimeType).map(id -> (JsonNode) json.createObjectNode().put("id", id));
    }

    @Override
    public Uni<JsonNode> messages(String phoneNumberId, String accessToken, JsonNode body) {
        if (body.has("status")) {
            return Uni.createFrom().item(json.createObjectNode().put("success", true)); // mark read / typing
        }
        String to = body.path("to").asText("");
        if (to.isEmpty()) {
            return Uni.createFrom().failure(new MetaError(400, 100, "(#100) Invalid parameter", "to is required"));
        }
        String wamid = "wamid.sandbox-" + UUID.randomUUID();
        String callback = body.path("biz_opaque_callback_data").asText(null);
        feeder.statusLater(100, phoneNumberId, wamid, "sent", to, callback);
        feeder.statusLater(700, phoneNumberId, wamid, "delivered", to, callback);
        feeder.statusLater(2000, phoneNumberId, wamid, "read", to, callback);
        ObjectNode response = json.createObjectNode().put("messaging_product", "whatsapp");
        response.putArray("contacts").addObject().put("input", to).put("wa_id", to);
        response.putArray("messages").addObject().put("id", wamid);
        return Uni.createFrom().item(response);
    }

    @Override
    public Uni<JsonNode> phoneNumber(String phoneNumberId, String accessToken, String fields) {
        ObjectNode number = json.createObjectNode().put("id", phoneNumberId).put("verified_name", "Sandbox Business")
                .put("quality_rating", "GREEN").put("status", "CONNECTED").put("platform_type", "CLOUD_API")
                .put("code_verification_status", "VERIFIED").put("name_status", "APPROVED");
        number.putObject("health_status").put("can_send_message", "AVAILABLE");
        return Uni.createFrom().item(number);
    }

    @Override
    public Uni<JsonNode> qrCodes(String phoneNumberId, String accessToken, String fields) {
        ObjectNode empty = json.createObjectNode();
        empty.putArray("data");
        return Uni.createFrom().item(empty);
    }

    /**
     * Two approved templates, the way Meta lists them, so that a newcomer's inbox has something to
     * pick: Meta's own {@code hello_world} (no parameters) and one with a body parameter.
     */
    @Override
    public Uni<JsonNode> approvedTemplates(String wabaId, String accessToken, String fields, int limit, String after) {
        ObjectNode page = json.createObjectNode();
        ArrayNode data = page.putArray("data");
        ObjectNode hello = data.addObject().put("name", "hello_world").put("language", "en_US")
                .put("category", "UTILITY").put("status", "APPROVED").put("id", "sandbox-template-1");
        ArrayNode helloParts = hello.putArray("components");
        helloParts.addObject().put("type", "HEADER").put("format", "TEXT").put("text", "Hello World");
        helloParts.addObject().put("type", "BODY").put("text", "Welcome and congratulations!! This message "
                + "demonstrates your ability to send a WhatsApp message notification from the Cloud API, hosted by "
                + "Meta. Thank you for taking the time to test with us.");
        helloParts.addObject().put("type", "FOOTER").put("text", "WhatsApp Business Platform sample message");
        ObjectNode update = data.addObject().put("name", "order_update").put("language", "en_US")
                .put("category", "UTILITY").put("status", "APPROVED").put("id", "sandbox-template-2");
        ObjectNode body = update.putArray("components").addObject().put("type", "BODY")
                .put("text", "Hi {{1}}, your order has shipped and is on its way.");
        body.putObject("example").putArray("body_text").addArray().add("Ana");
        page.putObject("paging").putObject("cursors").put("before", "sbx-before").put("after", "sbx-after");
        return Uni.createFrom().item(page);
    }

    @Override
    public Uni<JsonNode> createQrCode(String phoneNumberId, String accessToken, JsonNode body) {
        String code = "SBX" + UUID.randomUUID().toString().replace("-", "").substring(0, 11).toUpperCase();
        return Uni.createFrom().item(json.createObjectNode().put("code", code)
                .put("prefilled_message", body.path("prefilled_message").asText(""))
                .put("deep_link_url", "https://wa.me/message/" + code)
                .put("qr_image_url", "https://sandbox.invalid/qr/" + code + ".png"));
    }
}
