package io.wagateway.outbound;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.wagateway.support.FakeGraphApi;
import io.wagateway.support.FakeGraphApi.Reply;
import io.wagateway.support.FakeGraphResource;
import io.wagateway.support.Tenants;
import io.wagateway.support.TestTenant;
import io.wagateway.support.TestTokens;
import io.wagateway.support.WsClient;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** get_qr_code, get_connection_status and get_templates against the Graph API imitation. */
@QuarkusTest
@QuarkusTestResource(value = FakeGraphResource.class, restrictToAnnotatedClass = true)
class NumberStatusAndQrTest {

    @TestHTTPResource("/")
    URI base;

    @Inject
    Vertx vertx;

    @Inject
    Tenants tenants;

    @FakeGraphResource.InjectFakeGraph
    FakeGraphApi graph;

    private TestTenant tenant;

    @BeforeEach
    void seed() {
        graph.reset();
        tenant = tenants.fresh(base);
    }

    @Test
    void qrCodeIsCreatedOnceAndStoredUntilForcedNew() {
        try (WsClient ws = agent()) {
            JsonNode first = ws.ok("get_qr_code", Map.of("prefilledMessage", "Hi Acme")).path("data");
            assertTrue(first.path("code").asText().startsWith("QR"));
            assertEquals("Hi Acme", first.path("prefilledMessage").asText());
            assertTrue(first.path("deepLinkUrl").asText().startsWith("https://wa.me/message/"));
            assertTrue(first.path("qrImageUrl").asText().endsWith(".png"));
            FakeGraphApi.Request create = graph.await("/message_qrdls", 1).get(0);
            assertEquals("POST", create.method());
            assertEquals("/v25.0/" + tenant.number().phoneNumberId + "/message_qrdls", create.path());
            assertEquals("Hi Acme", create.body().path("prefilled_message").asText());
            assertEquals("PNG", create.body().path("generate_qr_image").asText());

            assertEquals(first.path("code").asText(), ws.ok("get_qr_code", Map.of()).path("data").path("code").asText());
            assertEquals(1, graph.requests("/message_qrdls").size());

            JsonNode renewed = ws.ok("get_qr_code", Map.of("forceNew", true)).path("data");
            assertFalse(first.path("code").asText().equals(renewed.path("code").asText()));
            assertEquals("Hi Acme", renewed.path("prefilledMessage").asText());
            assertEquals(2, graph.requests("/message_qrdls").size());
        }
    }

    @Test
    void metaErrorsReachTheClientAsWhatsappError() {
        graph.enqueue(Reply.error(400, 100, "Invalid parameter"));
        try (WsClient ws = agent()) {
            JsonNode answer = ws.request("get_qr_code", Map.of());
            assertEquals("qr_code_response", answer.path("event").asText());
            JsonNode error = answer.path("data").path("error");
            assertEquals("whatsapp_error", error.path("code").asText());
            assertEquals(100, error.path("metaCode").asInt());
            assertEquals("details of 100", error.path("details").asText());
        }
    }

    @Test
    void connectionStatusIsReadFromMetaAndCached() {
        try (WsClient ws = agent()) {
            JsonNode status = ws.ok("get_connection_status", Map.of()).path("data");
            assertTrue(status.path("connected").asBoolean());
            assertEquals("connected", status.path("connectionState").asText());
            assertEquals("Acme", status.path("verifiedName").asText());
            assertEquals("GREEN", status.path("qualityRating").asText());
            assertTrue(status.path("canSendMessage").asBoolean());
            assertEquals(tenant.number().displayPhoneNumber, status.path("phoneNumber").asText());
            FakeGraphApi.Request read = graph.await("/" + tenant.number().phoneNumberId, 1).get(0);
            assertEquals("GET", read.method());
            assertTrue(read.query().contains("health_status"));
            assertEquals("Bearer secret-token-" + tenant.number().displayPhoneNumber, read.headers().get("Authorization"));
            ws.ok("get_connection_status", Map.of());
            assertEquals(1, graph.requests("/" + tenant.number().phoneNumberId).size()); // cached
        }
    }

    @Test
    void rejectedTokenShowsTheNumberDisconnectedWithAReason() {
        graph.enqueue(Reply.error(401, 190, "Error validating access token: Session has expired"));
        try (WsClient ws = agent()) {
            JsonNode status = ws.ok("get_connection_status", Map.of()).path("data");
            assertFalse(status.path("connected").asBoolean(true));
            assertEquals("disconnected", status.path("connectionState").asText());
            assertFalse(status.path("canSendMessage").asBoolean(true));
            assertTrue(status.path("reason").asText().contains("access token rejected"), status.toString());
            JsonNode pushed = ws.next("whatsapp_status_update");
            assertFalse(pushed.path("data").path("connected").asBoolean(true));
        }
    }

    private static final String TEMPLATES = """
            {"data":[
              {"name":"order_update","language":"en_US","category":"UTILITY","status":"APPROVED","id":"2",
               "components":[{"type":"BODY","text":"Hi {{1}}, your order shipped.",
                              "example":{"body_text":[["Ana"]]}}]},
              {"name":"hello_world","language":"en_US","category":"UTILITY","status":"APPROVED","id":"1",
               "components":[{"type":"BODY","text":"Hello"}]}],
             "paging":{"cursors":{"before":"b","after":"a"}}}""";

    @Test
    void templatesAreReadFromTheWabaOnceAndServedFromCache() {
        graph.enqueue(Reply.ok(TEMPLATES));
        try (WsClient ws = agent()) {
            JsonNode templates = ws.ok("get_templates", Map.of()).path("data");
            assertEquals(2, templates.size(), templates.toString());
            assertEquals("hello_world", templates.get(0).path("name").asText());
            JsonNode update = templates.get(1);
            assertEquals("order_update", update.path("name").asText());
            assertEquals("en_US", update.path("language").asText());
            assertEquals("UTILITY", update.path("category").asText());
            assertEquals("Ana", update.path("components").get(0).path("example").path("body_text").get(0).get(0)
                    .asText());
            FakeGraphApi.Request read = graph.await("/message_templates", 1).get(0);
            assertEquals("GET", read.method());
            assertEquals("/v25.0/" + tenant.number().wabaId + "/message_templates", read.path());
            assertTrue(read.query().contains("status=APPROVED"), read.query());
            assertEquals("Bearer secret-token-" + tenant.number().displayPhoneNumber, read.headers().get("Authorization"));

            // the second request, and a search, are answered from the cache
            assertEquals(2, ws.ok("get_templates", Map.of("phoneNumberId", tenant.number().phoneNumberId))
                    .path("data").size());
            assertEquals(1, ws.ok("get_templates", Map.of("search", "hello")).path("data").size());
            assertEquals(1, graph.requests("/message_templates").size());
        }
    }

    @Test
    void twoTemplateRequestsAtOnceOnOneConnectionShareOneRead() {
        graph.enqueue(new Reply(200, TEMPLATES, 300));
        try (WsClient ws = agent()) {
            String first = ws.send("get_templates", Map.of());
            String second = ws.send("get_templates", Map.of("search", "hello"));
            JsonNode a = ws.answerTo(first);
            JsonNode b = ws.answerTo(second);
            assertEquals(2, a.path("data").path("data").size(), a.toString());
            assertEquals(1, b.path("data").path("data").size(), b.toString());
            assertEquals(1, graph.requests("/message_templates").size());
        }
    }

    @Test
    void aTemplateReadMetaRefusesIsAWhatsappErrorAndIsNotCached() {
        graph.enqueue(Reply.error(400, 100, "Invalid parameter"), Reply.ok(TEMPLATES));
        try (WsClient ws = agent()) {
            JsonNode answer = ws.request("get_templates", Map.of());
            assertEquals("templates_response", answer.path("event").asText());
            JsonNode error = answer.path("data").path("error");
            assertEquals("whatsapp_error", error.path("code").asText(), answer.toString());
            assertEquals(100, error.path("metaCode").asInt());
            assertEquals(2, ws.ok("get_templates", Map.of()).path("data").size());
            assertEquals(2, graph.requests("/message_templates").size());
        }
    }

    private WsClient agent() {
        return WsClient.connect(vertx, base, TestTokens.agent(tenant.id(), "alice"));
    }
}
