package io.wagateway.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.wagateway.phonenumber.PhoneNumber;
import io.wagateway.support.Db;
import io.wagateway.support.Seeder;
import io.wagateway.support.Tenants;
import io.wagateway.support.TestTenant;
import io.wagateway.support.TestTokens;
import io.wagateway.support.Webhooks;
import io.wagateway.support.WsClient;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
class WebhookResourceTest {

    @TestHTTPResource("/")
    URI base;

    @Inject
    Vertx vertx;

    @Inject
    Seeder seeder;

    @Inject
    Tenants tenants;

    @Inject
    Db db;

    private TestTenant tenant;

    @BeforeEach
    void seed() {
        tenant = tenants.fresh(base);
    }

    @Test
    void verificationHandshakeEchoesTheChallengeAsPlainText() {
        given().queryParam("hub.mode", "subscribe").queryParam("hub.verify_token", "test-verify-token")
                .queryParam("hub.challenge", "1158201444")
                .get(Webhooks.PATH).then().statusCode(200).contentType(containsText()).body(equalTo("1158201444"));
        given().queryParam("hub.mode", "subscribe").queryParam("hub.verify_token", "wrong")
                .queryParam("hub.challenge", "1").get(Webhooks.PATH).then().statusCode(403);
        given().queryParam("hub.mode", "unsubscribe").queryParam("hub.verify_token", "test-verify-token")
                .queryParam("hub.challenge", "1").get(Webhooks.PATH).then().statusCode(403);
        given().get(Webhooks.PATH).then().statusCode(403);
    }

    private static String containsText() {
        return "text/plain";
    }

    @Test
    void signedMessageIsStoredAndPushed() {
        try (WsClient ws = WsClient.connect(vertx, base, TestTokens.agent(tenant.id(), "alice"))) {
            ws.ok("join_general", Map.of());
            String from = Seeder.number();
            String wamid = Webhooks.wamid();
            Webhooks.post(Webhooks.text(tenant.number().phoneNumberId, tenant.number().displayPhoneNumber, from, "Kim", wamid, "hello"))
                    .then().statusCode(200);
            JsonNode pushed = ws.next("new_message");
            assertEquals("hello", pushed.path("data").path("content").asText());
            assertEquals(wamid, pushed.path("data").path("waMessageId").asText());
            assertEquals(from, pushed.path("data").path("from").asText());
            assertEquals(1, db.count("select count(*) from message where wa_message_id = $1", wamid));
            assertEquals("Kim", db.string("select name from contact where tenant_id = $1 and wa_id = $2", tenant.id(), from));
        }
    }

    @Test
    void badMissingOrAlteredSignaturesAreRefusedAndStoreNothing() {
        String wamid = Webhooks.wamid();
        String body = Webhooks.text(tenant.number().phoneNumberId, tenant.number().displayPhoneNumber, Seeder.number(), "X", wamid, "hi");
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String good = Webhooks.signature(bytes);
        given().contentType("application/json").body(bytes).post(Webhooks.PATH).then().statusCode(401);
        given().header("X-Hub-Signature-256", "sha256=" + "0".repeat(64)).contentType("application/json").body(bytes)
                .post(Webhooks.PATH).then().statusCode(401);
        given().header("X-Hub-Signature-256", "sha256=zz-not-hex").contentType("application/json").body(bytes)
                .post(Webhooks.PATH).then().statusCode(401);
        given().header("X-Hub-Signature-256", good.substring("sha256=".length())).contentType("application/json")
                .body(bytes).post(Webhooks.PATH).then().statusCode(401);
        byte[] altered = body.replace("\"hi\"", "\"hj\"").getBytes(StandardCharsets.UTF_8);
        given().header("X-Hub-Signature-256", good).contentType("application/json").body(altered)
                .post(Webhooks.PATH).then().statusCode(401);
        assertEquals(0, db.count("select count(*) from message where wa_message_id = $1", wamid));
    }

    @Test
    void signatureIsCheckedOnTheRawBytesWithMetasEscapes() {
        // Meta escapes non-ASCII as \\uXXXX and '/' as '\\/': re-serializing would change the bytes
        String wamid = Webhooks.wamid();
        String body = Webhooks.text(tenant.number().phoneNumberId, tenant.number().displayPhoneNumber, Seeder.number(), "Jos\\u00e9",
                wamid, "caf\\u00e9 https:\\/\\/example.com \\ud83d\\ude00");
        Webhooks.post(body).then().statusCode(200);
        assertEquals("café https://example.com 😀",
                db.string("select content from message where wa_message_id = $1", wamid));
        assertEquals("José", db.string("select c.name from contact c join message m on m.tenant_id = c.tenant_id "
                + "join conversation v on v.id = m.conversation_id and v.contact_id = c.id where m.wa_message_id = $1", wamid));
    }

    @Test
    void nulCharactersInAMessageAreDroppedNotFatal() {
        String wamid = Webhooks.wamid();
        Webhooks.post(Webhooks.text(tenant.number().phoneNumberId, tenant.number().displayPhoneNumber, Seeder.number(), "N\\u0000ul",
                wamid, "a\\u0000b")).then().statusCode(200);
        assertEquals("ab", db.string("select content from message where wa_message_id = $1", wamid));
    }

    @Test
    void redeliveryChangesNothingAndPushesNothingAgain() {
        try (WsClient ws = WsClient.connect(vertx, base, TestTokens.agent(tenant.id(), "alice"))) {
            ws.ok("join_general", Map.of());
            String body = Webhooks.text(tenant.number().phoneNumberId, tenant.number().displayPhoneNumber, Seeder.number(), "D",
                    Webhooks.wamid(), "once");
            Webhooks.post(body).then().statusCode(200);
            Webhooks.post(body).then().statusCode(200);
            Webhooks.post(body).then().statusCode(200);
            assertEquals("once", ws.next("new_message").path("data").path("content").asText());
            ws.assertNo("new_message", Duration.ofMillis(500));
            JsonNode conversation = ws.ok("get_conversations", Map.of()).path("data").get(0);
            assertEquals(1, conversation.path("unreadCount").asInt());
        }
    }

    @Test
    void batchIsHandledWholeAndABadItemDropsNothingElse() {
        PhoneNumber second = seeder.phoneNumber(tenant.id());
        String a = Webhooks.wamid();
        String b = Webhooks.wamid();
        String c = Webhooks.wamid();
        String from = Seeder.number();
        String body = Webhooks.entries(List.of(
                Webhooks.entry("waba-1",
                        Webhooks.change(tenant.number().phoneNumberId, tenant.number().displayPhoneNumber, "\"messages\":["
                                + Webhooks.textMessage(from, a, "one", Instant.now()) + ","
                                + "{\"from\":\"" + from + "\",\"timestamp\":\"1\",\"type\":\"text\"}" + ","
                                + Webhooks.textMessage(from, b, "two", Instant.now()) + "]")),
                Webhooks.entry("waba-2",
                        Webhooks.change(second.phoneNumberId, second.displayPhoneNumber, "\"messages\":["
                                + Webhooks.textMessage(from, c, "three", Instant.now()) + "]"),
                        "{\"field\":\"some_future_field\",\"value\":{\"x\":1}}")));
        Webhooks.post(body).then().statusCode(200);
        assertEquals(3, db.count("select count(*) from message where wa_message_id in ($1, $2, $3)", a, b, c));
        assertEquals(2, db.count("select count(*) from conversation where tenant_id = $1", tenant.id()));
        assertTrue(db.count("select count(*) from webhook_failure where reason like 'message without id%' "
                + "and item->>'from' = $1", from) >= 1);
    }

    @Test
    void everyMessageTypeBecomesAMessage() {
        String from = Seeder.number();
        String ts = String.valueOf(Instant.now().getEpochSecond());
        String m = "\"from\":\"" + from + "\",\"timestamp\":\"" + ts + "\",";
        String original = Webhooks.wamid();
        String body = Webhooks.delivery(Webhooks.change(tenant.number().phoneNumberId, tenant.number().displayPhoneNumber,
                "\"contacts\":[{\"profile\":{\"name\":\"Ty\"},\"wa_id\":\"" + from + "\"}],\"messages\":["
                        + "{" + m + "\"id\":\"" + original + "\",\"type\":\"image\",\"image\":{\"id\":\"media-1\","
                        + "\"mime_type\":\"image/jpeg\",\"sha256\":\"abc\",\"caption\":\"a photo\"}},"
                        + "{" + m + "\"id\":\"" + Webhooks.wamid() + "\",\"type\":\"reaction\",\"reaction\":"
                        + "{\"message_id\":\"" + original + "\",\"emoji\":\"\\ud83d\\udc4d\"}},"
                        + "{" + m + "\"id\":\"" + Webhooks.wamid() + "\",\"type\":\"location\",\"location\":"
                        + "{\"latitude\":52.5,\"longitude\":13.4,\"name\":\"HQ\"}},"
                        + "{" + m + "\"id\":\"" + Webhooks.wamid() + "\",\"type\":\"contacts\",\"contacts\":"
                        + "[{\"name\":{\"formatted_name\":\"Ann Lee\"},\"phones\":[{\"phone\":\"+1555\"}]}]},"
                        + "{" + m + "\"id\":\"" + Webhooks.wamid() + "\",\"type\":\"interactive\",\"interactive\":"
                        + "{\"type\":\"button_reply\",\"button_reply\":{\"id\":\"yes\",\"title\":\"Yes\"}}},"
                        + "{" + m + "\"id\":\"" + Webhooks.wamid() + "\",\"type\":\"button\",\"button\":"
                        + "{\"text\":\"Stop\",\"payload\":\"STOP\"}},"
                        + "{" + m + "\"id\":\"" + Webhooks.wamid() + "\",\"type\":\"unsupported\",\"errors\":"
                        + "[{\"code\":131051,\"title\":\"Message type unknown\"}],\"unsupported\":{\"type\":\"poll\"}},"
                        + "{" + m + "\"id\":\"" + Webhooks.wamid() + "\",\"type\":\"text\",\"text\":{\"body\":\"re\"},"
                        + "\"context\":{\"from\":\"" + tenant.number().displayPhoneNumber + "\",\"id\":\"" + original + "\"},"
                        + "\"brand_new_field\":{\"x\":[1,2]}}]"));
        Webhooks.post(body).then().statusCode(200);
        try (WsClient ws = WsClient.connect(vertx, base, TestTokens.agent(tenant.id(), "alice"))) {
            String conversationId = ws.ok("get_conversations", Map.of()).path("data").get(0).path("id").asText();
            JsonNode messages = ws.ok("get_messages", Map.of("conversationId", conversationId)).path("data");
            assertEquals(8, messages.size(), messages.toString());
            Map<String, JsonNode> byType = new java.util.HashMap<>();
            messages.forEach(msg -> byType.put(msg.path("type").asText(), msg));
            assertEquals("a photo", byType.get("image").path("content").asText());
            // PROTOCOL.md 6.4: the gateway's media id and a signed url, never Meta's id (kept for the download job)
            JsonNode media = byType.get("image").path("media");
            assertNotEquals("media-1", media.path("id").asText());
            assertTrue(media.path("url").asText().startsWith("/api/media/" + media.path("id").asText() + "?sig="),
                    media.toString());
            assertTrue(java.util.Set.of("pending", "available", "unavailable").contains(media.path("status").asText()));
            assertEquals("👍", byType.get("reaction").path("reaction").path("emoji").asText());
            assertEquals(original, byType.get("reaction").path("reaction").path("message_id").asText());
            assertEquals(52.5, byType.get("location").path("location").path("latitude").asDouble());
            assertEquals("Ann Lee", byType.get("contacts").path("content").asText());
            assertEquals("Yes", byType.get("interactive").path("content").asText());
            assertEquals("Stop", byType.get("button").path("content").asText());
            assertEquals(131051, byType.get("unsupported").path("error").path("code").asInt());
            assertEquals(original, byType.get("text").path("replyTo").asText());
        }
    }

    @Test
    void deliveryForAnUnknownNumberIsAcceptedAndKept() {
        String unknown = "pn-nobody-" + Seeder.number();
        Webhooks.post(Webhooks.text(unknown, "15559999999", Seeder.number(), "N", Webhooks.wamid(), "hi"))
                .then().statusCode(200);
        assertEquals(1, db.count("select count(*) from webhook_failure where reason = $1", "unknown_number " + unknown));
    }

    @Test
    void malformedSignedBodyIsKeptAndAcknowledged() {
        String marker = "garbage-" + Seeder.number();
        Webhooks.post("{not json " + marker).then().statusCode(200);
        assertEquals(1, db.count("select count(*) from webhook_failure where item->>'raw' like $1", "%" + marker));
    }

    @Test
    void qualityUpdateChangesTheNumberAndTellsTheTenant() {
        try (WsClient ws = WsClient.connect(vertx, base, TestTokens.agent(tenant.id(), "alice"))) {
            String body = Webhooks.entries(List.of(Webhooks.entry("waba-1",
                    "{\"field\":\"phone_number_quality_update\",\"value\":{\"display_phone_number\":\""
                            + tenant.number().displayPhoneNumber + "\",\"event\":\"FLAGGED\",\"current_limit\":\"TIER_1K\"}}")));
            Webhooks.post(body).then().statusCode(200);
            JsonNode update = ws.next("whatsapp_status_update");
            assertEquals("RED", update.path("data").path("qualityRating").asText());
            assertEquals(tenant.number().displayPhoneNumber, update.path("data").path("phoneNumber").asText());
            assertEquals("FLAGGED", update.path("data").path("reason").asText());
            String account = Webhooks.entries(List.of(Webhooks.entry("waba-1",
                    "{\"field\":\"account_update\",\"value\":{\"phone_number\":\"" + tenant.number().displayPhoneNumber
                            + "\",\"event\":\"DISABLED_UPDATE\"}}")));
            Webhooks.post(account).then().statusCode(200);
            JsonNode disabled = ws.next("whatsapp_status_update");
            assertEquals(false, disabled.path("data").path("connected").asBoolean(true));
            assertEquals("disabled", disabled.path("data").path("connectionState").asText());
        }
    }
}
