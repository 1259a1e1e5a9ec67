package io.wagateway.whatsapp;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Uni;

/**
 * Where Graph API calls go: Meta in cloud mode, the built-in simulator in sandbox mode. Failures
 * are {@link MetaError}s.
 */
public interface GraphTransport {

    Uni<JsonNode> messages(String phoneNumberId, String accessToken, JsonNode body);

    Uni<JsonNode> phoneNumber(String phoneNumberId, String accessToken, String fields);

    Uni<JsonNode> qrCodes(String phoneNumberId, String accessToken, String fields);

    Uni<JsonNode> createQrCode(String phoneNumberId, String accessToken, JsonNode body);

    /**
     * One page ({@code data}, {@code paging}) of the WABA's approved templates.
     *
     * @param after the cursor of the page before, or null for the first
     */
    Uni<JsonNode> approvedTemplates(String wabaId, String accessToken, String fields, int limit, String after);
}
