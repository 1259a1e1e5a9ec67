package io.wagateway.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.wagateway.phonenumber.PhoneNumber;
import io.wagateway.support.FakeGraphApi;
import io.wagateway.support.FakeGraphApi.Reply;
import io.wagateway.support.FakeGraphResource;
import io.wagateway.support.Seeder;
import io.wagateway.support.TestTokens;
import io.wagateway.support.Webhooks;
import io.wagateway.support.WsClient;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Drives each kind of traffic once and finds its meters, with their tags, in the Prometheus text. */
@QuarkusTest
@QuarkusTestResource(value = FakeGraphResource.class, restrictToAnnotatedClass = true)
class MetricsEndpointTest {

    @TestHTTPResource("/")
    URI base;

    @Inject
    Vertx vertx;

    @Inject
    Seeder seeder;

    @Inject
    GatewayMetrics metrics;

    @FakeGraphResource.InjectFakeGraph
    FakeGraphApi graph;

    @Test
    void gatewayMetersAppearWithTheirTags() {
        graph.reset();
        String tenant = Seeder.tenant();
        PhoneNumber number = seeder.phoneNumber(tenant);
        String customer = Seeder.number();
        try (WsClient ws = WsClient.connect(vertx, base, TestTokens.agent(tenant, "alice"))) {
            ws.ok("join_general", Map.of());
            assertEquals("pong", ws.request("ping", Map.of()).path("event").asText());

            // an inbound message: stored, pushed from memory to the general room
            Webhooks.post(Webhooks.text(number.phoneNumberId, number.displayPhoneNumber, customer, "Kim",
                    Webhooks.wamid(), "hello")).then().statusCode(200);
            ws.next("new_message");
            given().header("X-Hub-Signature-256", "sha256=00").contentType("application/json").body("{}")
                    .post(Webhooks.PATH).then().statusCode(401);

            // one send accepted by Meta, one refused with a permanent error code
            ws.send("send_message", Map.of("to", customer, "message", "first"));
            ws.next("message_sent_success");
            graph.enqueue(Reply.error(400, 131026, "Message undeliverable"));
            ws.send("send_message", Map.of("to", customer, "message", "second"));
            ws.next("message_send_error");

            JsonNode resumed = ws.ok("resume", Map.of("lastSeq", 0));
            assertTrue(resumed.path("data").path("recovered").asBoolean(), resumed.toString());

            for (int i = 0; i < 70; i++) {
                ws.send("ping", Map.of());
            }
            ws.next("error"); // rate_limited

            metrics.refreshOutbox().await().atMost(Duration.ofSeconds(10));
            String text = given().get("/q/metrics").then().statusCode(200).extract().asString();

            assertMetric(text, "wagateway_connections ");
            assertMetric(text, "wagateway_events_in_total{event=\"ping\"}");
            assertMetric(text, "wagateway_events_in_total{event=\"send_message\"}");
            assertMetric(text, "wagateway_events_in_total{event=\"rejected\"}");
            assertMetric(text, "wagateway_events_out_total{event=\"pong\"}");
            assertMetric(text, "wagateway_events_out_total{event=\"error\"}");
            assertMetric(text, "wagateway_events_out_total{event=\"new_message\"}");
            assertMetric(text, "wagateway_events_out_total{event=\"message_sent_success\"}");
            assertMetric(text, "wagateway_events_out_total{event=\"resumed\"}");
            assertMetric(text, "wagateway_ws_rate_limited_total ");
            assertMetric(text, "wagateway_webhook_deliveries_seconds_count{outcome=\"stored\"}");
            assertMetric(text, "wagateway_webhook_deliveries_seconds_count{outcome=\"unsigned\"}");
            assertMetric(text, "wagateway_webhook_items_total{result=\"stored\"}");
            assertMetric(text, "wagateway_push_latency_seconds_count{source=\"memory\"}");
            assertMetric(text, "wagateway_push_latency_seconds_bucket{source=\"memory\",le=\"0.005\"}");
            assertMetric(text, "wagateway_graph_calls_seconds_count{meta_code=\"none\",operation=\"send\","
                    + "result=\"success\"}");
            assertMetric(text, "wagateway_graph_calls_seconds_count{meta_code=\"131026\",operation=\"send\","
                    + "result=\"error\"}");
            assertMetric(text, "wagateway_resume_requests_total{outcome=\"recovered\"}");
            assertMetric(text, "wagateway_outbox_depth ");
            assertMetric(text, "wagateway_outbox_oldest_age_seconds ");
            assertTrue(value(text, "wagateway_connections ") >= 1, "connections");
            assertTrue(value(text, "wagateway_outbox_depth ") >= 0, "outbox depth is a number once read");
        }
    }

    @Test
    void frameNamesAreReadFromTheSerializedFrameOnly() {
        assertEquals("user_typing", GatewayMetrics.eventName("{\"event\":\"user_typing\",\"data\":{}}"));
        assertEquals("other", GatewayMetrics.eventName("{\"data\":{},\"event\":\"x\"}"));
        assertEquals("other", GatewayMetrics.eventName("not json"));
        assertEquals("other", GatewayMetrics.eventName(null));
    }

    private static void assertMetric(String text, String prefix) {
        assertTrue(text.lines().anyMatch(line -> line.startsWith(prefix)), () -> "no " + prefix + " in:\n"
                + text.lines().filter(l -> l.startsWith("wagateway_")).reduce("", (a, b) -> a + b + "\n"));
    }

    private static double value(String text, String prefix) {
        return text.lines().filter(line -> line.startsWith(prefix)).findFirst()
                .map(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).orElseThrow();
    }
}
