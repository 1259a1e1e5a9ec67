package io.wagateway.phonenumber;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.HashMap;
import java.util.Map;

/** The {@code qr_code_response} payload, as Meta's {@code message_qrdls} describes a code. */
@RegisterForReflection
public record QrCode(String code, String prefilledMessage, String deepLinkUrl, String qrImageUrl) {

    static QrCode from(JsonNode meta) {
        JsonNode node = meta.has("data") ? meta.path("data").path(0) : meta;
        return new QrCode(node.path("code").asText(null), node.path("prefilled_message").asText(null),
                node.path("deep_link_url").asText(null), node.path("qr_image_url").asText(null));
    }

    static QrCode of(Map<String, Object> stored) {
        if (stored == null || stored.get("code") == null) {
            return null;
        }
        return new QrCode((String) stored.get("code"), (String) stored.get("prefilledMessage"),
                (String) stored.get("deepLinkUrl"), (String) stored.get("qrImageUrl"));
    }

    Map<String, Object> toMap() {
        Map<String, Object> map = new HashMap<>();
        map.put("code", code);
        map.put("prefilledMessage", prefilledMessage);
        map.put("deepLinkUrl", deepLinkUrl);
        map.put("qrImageUrl", qrImageUrl);
        return map;
    }
}
