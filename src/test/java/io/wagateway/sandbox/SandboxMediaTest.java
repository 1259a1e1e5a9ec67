package io.wagateway.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.vertx.core.Vertx;
import io.wagateway.media.MediaTypes;
import io.wagateway.phonenumber.PhoneNumber;
import io.wagateway.support.Seeder;
import io.wagateway.support.TestTokens;
import io.wagateway.support.WsClient;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The media loop with no Meta account: the simulated customer sends a generated image, voice note and
 * PDF (real files), the gateway fetches them like it does from Meta, and an agent's upload is sent.
 */
@QuarkusTest
class SandboxMediaTest {

    @TestHTTPResource("/")
    URI base;

    @Inject
    Vertx vertx;

    @Inject
    Seeder seeder;

    @Test
    void theSimulatedCustomerSendsRealFilesAndAnAgentSendsOneBack() {
        String tenant = Seeder.tenant();
        PhoneNumber number = seeder.phoneNumber(tenant);
        String customer = Seeder.number();
        String token = TestTokens.agent(tenant, "alice");
        try (WsClient ws = WsClient.connect(vertx, base, token)) {
            ws.ok("join_general", Map.of());
            Map<String, String> expected = Map.of("image", "image/png", "audio", "audio/ogg", "document",
                    "application/pdf");
            for (String type : new String[] {"image", "audio", "document"}) {
                Map<String, Object> media = new HashMap<>(Map.of("type", type));
                if (type.equals("document")) {
                    media.put("filename", "offer.pdf");
                }
                given().contentType("application/json").body(Map.of("from", customer, "name", "Sandy", "text",
                                "look", "phoneNumberId", number.phoneNumberId, "media", media))
                        .post("/api/sandbox/inbound").then().statusCode(202);
                assertEquals("pending", ws.next("new_message").path("data").path("media").path("status").asText());
                JsonNode updated = ws.next("message_updated").path("data").path("media");
                assertEquals("available", updated.path("status").asText(), updated.toString());
                Response served = given().get(updated.path("url").asText());
                assertEquals(200, served.statusCode());
                byte[] bytes = served.asByteArray();
                // what the bytes are, as the upload's sniffing sees them: real files of the type
                assertEquals(expected.get(type), MediaTypes.sniff(Arrays.copyOf(bytes, Math.min(64, bytes.length)),
                        null, null).mimeType());
                if (type.equals("audio")) {
                    assertTrue(updated.path("voice").asBoolean());
                    assertTrue(new String(bytes, StandardCharsets.ISO_8859_1).contains("OpusHead"));
                }
                if (type.equals("document")) {
                    assertEquals("offer.pdf", updated.path("filename").asText());
                    assertTrue(new String(bytes, StandardCharsets.ISO_8859_1).endsWith("%%EOF\n"));
                }
            }
            // no text and no media: 400
            given().contentType("application/json").body(Map.of("from", customer, "phoneNumberId",
                    number.phoneNumberId)).post("/api/sandbox/inbound").then().statusCode(400);

            // the agent sends the generated PNG back through the upload
            byte[] png = SandboxMedia.png();
            Response uploaded = given().header("Authorization", "Bearer " + token)
                    .multiPart("file", "back.png", png, "image/png").multiPart("phoneNumberId", number.phoneNumberId)
                    .post("/api/media");
            assertEquals(201, uploaded.statusCode(), uploaded.asString());
            ws.ok("send_message", Map.of("to", customer, "type", "image", "from", number.phoneNumberId,
                    "media", Map.of("id", uploaded.jsonPath().getString("mediaId"))));
            JsonNode mine = ws.next("new_message").path("data").path("media");
            assertArrayEquals(png, given().get(mine.path("url").asText()).asByteArray());
            assertTrue(ws.next("message_sent_success").path("data").path("data").path("waMessageId").asText()
                    .startsWith("wamid.sandbox-"));
        }
    }

    @Test
    void theGeneratedVoiceNoteIsWellFormedOggOpus() {
        byte[] ogg = SandboxMedia.oggOpus();
        int at = 0;
        int pages = 0;
        int lastFlags = 0;
        while (at < ogg.length) {
            assertEquals("OggS", new String(ogg, at, 4, StandardCharsets.US_ASCII), "page " + pages + " at " + at);
            lastFlags = ogg[at + 5];
            int segments = ogg[at + 26] & 0xFF;
            int body = 0;
            for (int i = 0; i < segments; i++) {
                body += ogg[at + 27 + i] & 0xFF;
            }
            if (pages == 0) {
                assertEquals(0x02, lastFlags, "the first page begins the stream");
                assertEquals("OpusHead", new String(ogg, at + 27 + segments, 8, StandardCharsets.US_ASCII));
            }
            if (pages == 1) {
                assertEquals("OpusTags", new String(ogg, at + 27 + segments, 8, StandardCharsets.US_ASCII));
            }
            at += 27 + segments + body;
            pages++;
        }
        assertEquals(ogg.length, at, "the pages fill the file exactly");
        assertEquals(3, pages);
        assertEquals(0x04, lastFlags, "the last page ends the stream");
    }
}
