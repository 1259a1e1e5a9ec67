package io.wagateway.whatsapp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;
import io.wagateway.config.AppConfig;
import io.wagateway.phonenumber.PhoneNumber;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;

/**
 * The one door to WhatsApp. Picks Meta or the sandbox simulator by {@code app.whatsapp.mode};
 * callers see {@link MetaError} on failure and never handle the access token beyond passing
 * the number.
 */
@ApplicationScoped
public class WhatsAppClient {

    static final String PHONE_FIELDS = "display_phone_number,verified_name,quality_rating,status,"
            + "code_verification_status,name_status,platform_type,throughput,health_status";
    static final String QR_FIELDS = "code,prefilled_message,deep_link_url,qr_image_url.format(PNG)";

    private final GraphTransport transport;
    private final ObjectMapper json;

    public WhatsAppClient(AppConfig config, @Any Instance<GraphTransport> transports, ObjectMapper json) {
        this.json = json;
        this.transport = config.whatsapp().mode() == AppConfig.WhatsApp.Mode.sandbox
                ? transports.select(Sandboxed.Literal.INSTANCE).get()
                : transports.select(CloudGraphTransport.class).get();
    }

    /** Sends a prepared message body; returns the WhatsApp message id. */
    public Uni<String> send(PhoneNumber number, JsonNode body) {
        return transport.messages(number.phoneNumberId, number.accessToken, body).map(response -> {
            String wamid = response.path("messages").path(0).path("id").asText(null);
            if (wamid == null) {
                throw new MetaError(200, 0, "Graph API accepted the message without an id", null);
            }
            return wamid;
        });
    }

    /** Marks an inbound message (and the ones before it) read; optionally shows the typing indicator. */
    public Uni<Void> markRead(PhoneNumber number, String inboundWamid, boolean typing) {
        ObjectNode body = json.createObjectNode().put("messaging_product", "whatsapp").put("status", "read")
                .put("message_id", inboundWamid);
        if (typing) {
            body.putObject("typing_indicator").put("type", "text");
        }
        return transport.messages(number.phoneNumberId, number.accessToken, body).replaceWithVoid();
    }

    public Uni<JsonNode> phoneNumber(PhoneNumber number) {
        return transport.phoneNumber(number.phoneNumberId, number.accessToken, PHONE_FIELDS);
    }

    /** The number's existing QR codes ({@code data} array). */
    public Uni<JsonNode> qrCodes(PhoneNumber number) {
        return transport.qrCodes(number.phoneNumberId, number.accessToken, QR_FIELDS);
    }

    public Uni<JsonNode> createQrCode(PhoneNumber number, String prefilledMessage) {
        ObjectNode body = json.createObjectNode().put("prefilled_message", prefilledMessage)
                .put("generate_qr_image", "PNG");
        return transport.createQrCode(number.phoneNumberId, number.accessToken, body);
    }
}
