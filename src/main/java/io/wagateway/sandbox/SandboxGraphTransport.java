package io.wagateway.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;
import io.wagateway.whatsapp.GraphTransport;
import io.wagateway.whatsapp.MetaError;
import io.wagateway.whatsapp.Sandboxed;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.UUID;

/**
 * The Graph API as the sandbox simulator plays it: sends are accepted at once and their
 * {@code sent}, {@code delivered} and {@code read} statuses follow through the signed webhook
 * path; QR codes and the number's status answer plausibly. Used only when
 * {@code app.whatsapp.mode=sandbox}.
 */
@ApplicationScoped
@Sandboxed
public class SandboxGraphTransport implements GraphTransport {

    private final ObjectMapper json;
    private final SandboxWebhookFeeder feeder;

    public SandboxGraphTransport(ObjectMapper json, SandboxWebhookFeeder feeder) {
        this.json = json;
        this.feeder = feeder;
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

    @Override
    public Uni<JsonNode> createQrCode(String phoneNumberId, String accessToken, JsonNode body) {
        String code = "SBX" + UUID.randomUUID().toString().replace("-", "").substring(0, 11).toUpperCase();
        return Uni.createFrom().item(json.createObjectNode().put("code", code)
                .put("prefilled_message", body.path("prefilled_message").asText(""))
                .put("deep_link_url", "https://wa.me/message/" + code)
                .put("qr_image_url", "https://sandbox.invalid/qr/" + code + ".png"));
    }
}
