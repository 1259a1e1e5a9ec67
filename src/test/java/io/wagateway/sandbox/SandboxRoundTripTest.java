package io.wagateway.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.wagateway.phonenumber.PhoneNumber;
import io.wagateway.support.Seeder;
import io.wagateway.support.TestTokens;
import io.wagateway.support.WsClient;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sandbox mode end to end: a customer writes, an agent answers, the ticks come back. */
@QuarkusTest
class SandboxRoundTripTest {

    @TestHTTPResource("/")
    URI base;

    @Inject
    Vertx vertx;

    @Inject
    Seeder seeder;

    @Test
    void inboundThenReplyWithSentDeliveredAndReadTicks() {
        String tenant = Seeder.tenant();
        PhoneNumber number = seeder.phoneNumber(tenant);
        String customer = Seeder.number();
        try (WsClient ws = WsClient.connect(vertx, base, TestTokens.agent(tenant, "alice"))) {
            ws.ok("join_general", Map.of());
            given().contentType("application/json")
                    .body(Map.of("from", "+" + customer, "name", "Sandy", "text", "hello sandbox",
                            "phoneNumberId", number.phoneNumberId))
                    .post("/api/sandbox/inbound").then().statusCode(202);
            JsonNode inbound = ws.next("new_message");
            assertEquals("hello sandbox", inbound.path("data").path("content").asText());
            assertEquals(customer, inbound.path("data").path("from").asText());

            String messageId = ws.ok("send_message", Map.of("to", customer, "message", "hi Sandy"))
                    .path("data").path("messageId").asText();
            assertTrue(ws.next("message_sent_success").path("data").path("data").path("waMessageId").asText()
                    .startsWith("wamid.sandbox-"));
            List<String> ticks = new java.util.ArrayList<>();
            while (!ticks.contains("read")) {
                JsonNode tick = ws.next("message_status_update");
                assertEquals(messageId, tick.path("data").path("messageId").asText());
                ticks.add(tick.path("data").path("status").asText());
            }
            assertEquals(List.of("sent", "delivered", "read"), ticks);
            JsonNode status = ws.ok("get_connection_status", Map.of()).path("data");
            assertTrue(status.path("connected").asBoolean());
            assertTrue(ws.ok("get_qr_code", Map.of()).path("data").path("deepLinkUrl").asText()
                    .startsWith("https://wa.me/message/SBX"));
        }
    }
}
