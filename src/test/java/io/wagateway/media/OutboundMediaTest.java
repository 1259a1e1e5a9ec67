package io.wagateway.media;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.vertx.core.Vertx;
import io.wagateway.conversation.InboundMessageService;
import io.wagateway.phonenumber.PhoneNumber;
import io.wagateway.support.FakeGraphApi;
import io.wagateway.support.FakeGraphResource;
import io.wagateway.support.Seeder;
import io.wagateway.support.TestTokens;
import io.wagateway.support.WsClient;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code POST /api/media} and {@code send_message} with the gateway's media id (PROTOCOL.md 6.4),
 * against the scripted Graph API: the type comes from the bytes, Meta's limits are checked before
 * anything is sent, the upload is kept so that the agent's own message shows it, and an Ogg/Opus
 * audio goes as a voice message.
 */
@QuarkusTest
@QuarkusTestResource(value = FakeGraphResource.class, restrictToAnnotatedClass = true)
class OutboundMediaTest {

    static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};

    @TestHTTPResource("/")
    URI base;

    @Inject
    Vertx vertx;

    @Inject
    Seeder seeder;

    @FakeGraphResource.InjectFakeGraph
    FakeGraphApi graph;

    private String tenant;
    private String token;
    private PhoneNumber number;
    private String customer;
    private String conversationId;
    private WsClient ws;

    @BeforeEach
    void openAConversation() {
        graph.reset();
        tenant = Seeder.tenant();
        token = TestTokens.agent(tenant, "alice");
        number = seeder.phoneNumber(tenant);
        customer = Seeder.number();
        InboundMessageService.Result inbound = seeder.inbound(number, customer, "Cy", "hi", Instant.now());
        conversationId = inbound.conversationId().toString();
        ws = WsClient.connect(vertx, base, token);
        ws.ok("join_conversation", Map.of("conversationId", conversationId));
    }

    @AfterEach
    void close() {
        ws.close();
    }

    @Test
    void anUploadedImageIsSentByItsMetaIdAndTheAgentsMessageShowsTheFile() {
        byte[] png = file(PNG_MAGIC, 40_000);
        Response uploaded = upload(png, "parcel.png", "image/png", "image");
        assertEquals(201, uploaded.statusCode(), uploaded.asString());
        String mediaId = uploaded.jsonPath().getString("mediaId");
        assertEquals("image/png", uploaded.jsonPath().getString("mimeType"));
        assertEquals(png.length, uploaded.jsonPath().getLong("size"));
        assertEquals("parcel.png", uploaded.jsonPath().getString("filename"));
        FakeGraphApi.Request atMeta = graph.uploads().get(0);
        assertEquals("/v25.0/" + number.phoneNumberId + "/media", atMeta.path());
        assertTrue(atMeta.headers().get("Content-Type").startsWith("multipart/form-data; boundary="));
        assertTrue(atMeta.size() > png.length, "the file went to Meta whole");
        assertTrue(atMeta.headers().get("Authorization").startsWith("Bearer "));

        ws.ok("send_message", Map.of("to", customer, "conversationId", conversationId, "type", "image",
                "media", Map.of("id", mediaId, "caption", "Your parcel")));
        JsonNode mine = ws.next("new_message").path("data");
        assertEquals(mediaId, mine.path("media").path("id").asText());
        assertEquals("available", mine.path("media").path("status").asText());
        assertEquals("Your parcel", mine.path("content").asText());
        JsonNode body = graph.await("/messages", 1).get(0).body();
        assertEquals("meta-upload-", body.path("image").path("id").asText().replaceAll("\\d+$", ""));
        assertEquals("Your parcel", body.path("image").path("caption").asText());
        // the gateway kept the upload: the agent's own message shows it
        Response served = given().get(mine.path("media").path("url").asText());
        assertEquals(200, served.statusCode());
        assertArrayEquals(png, served.asByteArray());
    }

    @Test
    void anOggOpusUploadGoesAsAVoiceMessageAndADocumentKeepsItsName() {
        byte[] ogg = file("OggS".getBytes(StandardCharsets.US_ASCII), 5000);
        Response audio = upload(ogg, "note.ogg", "audio/ogg", null);
        assertEquals(201, audio.statusCode(), audio.asString());
        assertEquals("audio/ogg", audio.jsonPath().getString("mimeType"));
        ws.ok("send_message", Map.of("to", customer, "conversationId", conversationId, "type", "audio",
                "media", Map.of("id", audio.jsonPath().getString("mediaId"))));
        JsonNode voice = graph.await("/messages", 1).get(0).body().path("audio");
        assertTrue(voice.path("voice").asBoolean(), voice.toString());

        byte[] pdf = file("%PDF-1.4\n".getBytes(StandardCharsets.US_ASCII), 3000);
        Response document = upload(pdf, "C:\\fakepath\\invoice 4711.pdf", "application/pdf", null);
        assertEquals(201, document.statusCode(), document.asString());
        assertEquals("invoice 4711.pdf", document.jsonPath().getString("filename"));
        ws.ok("send_message", Map.of("to", customer, "conversationId", conversationId, "type", "document",
                "media", Map.of("id", document.jsonPath().getString("mediaId"))));
        JsonNode sent = graph.await("/messages", 2).get(1).body().path("document");
        assertEquals("invoice 4711.pdf", sent.path("filename").asText(), sent.toString());
    }

    @Test
    void limitsAndTypesAreCheckedBeforeAnythingReachesMeta() {
        Response tooBig = upload(file(PNG_MAGIC, 5 * 1024 * 1024 + 1), "big.png", "image/png", "image");
        assertEquals(413, tooBig.statusCode());
        assertEquals("payload_too_large", tooBig.jsonPath().getString("code"));
        assertTrue(tooBig.contentType().startsWith("application/problem+json"), tooBig.contentType());

        byte[] staticWebp = webp(false, 100 * 1024 + 1);
        assertEquals(413, upload(staticWebp, "s.webp", "image/webp", null).statusCode());
        assertEquals(201, upload(webp(true, 100 * 1024 + 1), "a.webp", "image/webp", null).statusCode(),
                "an animated sticker may have up to 500 KB");
        int afterSticker = graph.uploads().size();

        Response gif = upload(file("GIF89a".getBytes(StandardCharsets.US_ASCII), 500), "a.gif", "image/gif", "image");
        assertEquals(415, gif.statusCode());
        assertEquals("unsupported_media_type", gif.jsonPath().getString("code"));
        // a file claiming to be a PNG is what its bytes say
        assertEquals(415, upload("<svg onload=alert(1)>".getBytes(StandardCharsets.UTF_8), "x.png", "image/png", null)
                .statusCode());
        assertEquals(415, upload(file(PNG_MAGIC, 100), "x.png", "image/png", "audio").statusCode());
        assertEquals(400, upload(file(PNG_MAGIC, 100), "x.png", "image/png", "gif").statusCode());
        assertEquals(afterSticker, graph.uploads().size(), "nothing refused was sent to Meta");
    }

    @Test
    void metaRefusingTheUploadIs502AndOthersCannotUseOrReadTheMedia() {
        graph.enqueue(FakeGraphApi.Reply.error(400, 131053, "Media upload error"));
        Response refused = upload(file(PNG_MAGIC, 1000), "a.png", "image/png", null);
        assertEquals(502, refused.statusCode(), refused.asString());
        assertEquals("whatsapp_error", refused.jsonPath().getString("code"));
        assertEquals(131053, refused.jsonPath().getInt("metaCode"));

        String mediaId = upload(file(PNG_MAGIC, 1000), "a.png", "image/png", null).jsonPath().getString("mediaId");
        // another tenant can neither read nor send it
        String other = Seeder.tenant();
        PhoneNumber otherNumber = seeder.phoneNumber(other);
        String otherCustomer = Seeder.number();
        String otherConversation = seeder.inbound(otherNumber, otherCustomer, "Ed", "hi", Instant.now())
                .conversationId().toString();
        assertEquals(404, given().header("Authorization", "Bearer " + TestTokens.agent(other, "eve"))
                .get("/api/media/" + mediaId).statusCode());
        try (WsClient eve = WsClient.connect(vertx, base, TestTokens.agent(other, "eve"))) {
            JsonNode answer = eve.request("send_message", Map.of("to", otherCustomer, "conversationId",
                    otherConversation, "type", "image", "media", Map.of("id", mediaId)));
            assertFalse(answer.path("data").path("success").asBoolean(), answer.toString());
            assertEquals("not_found", answer.path("data").path("error").path("code").asText(), answer.toString());
        }
        // no token: 401, and nothing uploaded
        int before = graph.uploads().size();
        assertEquals(401, given().multiPart("file", "a.png", file(PNG_MAGIC, 100), "image/png").post("/api/media")
                .statusCode());
        assertEquals(before, graph.uploads().size());
    }

    private Response upload(byte[] bytes, String filename, String contentType, String type) {
        var request = given().header("Authorization", "Bearer " + token).multiPart("file", filename, bytes, contentType);
        if (type != null) {
            request = request.multiPart("type", type);
        }
        return request.post("/api/media");
    }

    /** {@code size} bytes that start with {@code magic}. */
    static byte[] file(byte[] magic, int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        System.arraycopy(magic, 0, bytes, 0, Math.min(magic.length, size));
        return bytes;
    }

    /** A WebP: RIFF, WEBP, and a VP8X chunk whose flags say animated or not. */
    static byte[] webp(boolean animated, int size) {
        byte[] bytes = file("RIFF....WEBPVP8X".getBytes(StandardCharsets.US_ASCII), size);
        Arrays.fill(bytes, 16, 24, (byte) 0);
        bytes[20] = (byte) (animated ? 0x02 : 0x00);
        return bytes;
    }
}
