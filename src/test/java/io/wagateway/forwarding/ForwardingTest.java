package io.wagateway.forwarding;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import io.wagateway.support.Db;
import io.wagateway.support.EventReceiver;
import io.wagateway.support.Seeder;
import io.wagateway.support.Tenants;
import io.wagateway.support.TestTenant;
import io.wagateway.support.TestTokens;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Event forwarding to the host application (PROTOCOL.md 6.9), against a real HTTP receiver. */
@QuarkusTest
class ForwardingTest {

    private static final String PATH = "/api/admin/forwarding";
    private static final String SECRET = "a-shared-secret-of-the-host-app";
    private static final Duration WAIT = Duration.ofSeconds(15);

    @TestHTTPResource("/")
    URI base;

    @Inject
    Tenants tenants;

    @Inject
    Db db;

    private TestTenant tenant;
    private EventReceiver receiver;

    @BeforeEach
    void seed() {
        tenant = tenants.fresh(base);
        receiver = new EventReceiver();
    }

    @AfterEach
    void stop() {
        admin().delete(PATH);
        receiver.close();
    }

    private RequestSpecification admin() {
        return given().auth().oauth2(TestTokens.admin(tenant.id(), "root")).contentType(ContentType.JSON);
    }

    private ValidatableResponse put(Map<String, Object> body) {
        return admin().body(body).put(PATH).then();
    }

    private Map<String, Object> settings(String url, List<String> events) {
        Map<String, Object> body = new HashMap<>();
        body.put("url", url);
        body.put("events", events);
        body.put("secret", SECRET);
        return body;
    }

    private long lastSeq() {
        return db.count("select last_seq from tenant where id = $1", tenant.id());
    }

    private void inbound(int messages) {
        for (int i = 0; i < messages; i++) {
            tenant.inbound("1555000" + (1000 + i % 3), "Cus " + i, "hello " + i, Instant.now());
        }
    }

    private JsonNode status() {
        return admin().get(PATH + "/status").then().statusCode(200).extract().as(JsonNode.class);
    }

    private void awaitCaughtUp() {
        long last = lastSeq();
        await().atMost(WAIT).until(() -> {
            JsonNode status = status();
            return status.path("lastDeliveredSeq").asLong() == last && status.path("lag").asLong() == 0;
        });
    }

    @Test
    void forwardsEveryDurableEventInSeqOrderSignedWithTheSecret() {
        inbound(1); // history before the forwarding exists is not sent
        long start = lastSeq();
        put(settings(receiver.url(), List.of())).statusCode(200)
                .body("url", equalTo(receiver.url())).body("events", equalTo(List.of()))
                .body("hasSecret", equalTo(true)).body("lastDeliveredSeq", equalTo((int) start))
                .body("$", not(org.hamcrest.Matchers.hasKey("secret")));
        admin().get(PATH).then().statusCode(200).body("hasSecret", equalTo(true))
                .body("$", not(org.hamcrest.Matchers.hasKey("secret")));

        inbound(25);
        long last = lastSeq();
        assertTrue(last - start >= 50, "two events per message at least: " + (last - start));
        await().atMost(WAIT).until(() -> receiver.accepted().size() >= last - start);
        awaitCaughtUp();

        List<Long> expected = LongStream.rangeClosed(start + 1, last).boxed().toList();
        assertEquals(expected, receiver.acceptedSeqs());
        for (EventReceiver.Delivery delivery : receiver.accepted()) {
            assertTrue(delivery.signedWith(SECRET), delivery.signature());
            assertFalse(delivery.signedWith(SECRET + "x"));
            JsonNode body = delivery.json();
            assertEquals(tenant.id(), body.path("tenant").asText());
            assertTrue(body.path("data").isObject(), body.toString());
            assertTrue(List.of("new_message", "conversation_updated").contains(body.path("event").asText()), body.toString());
        }
        JsonNode first = receiver.accepted().get(0).json();
        assertEquals("new_message", first.path("event").asText());
        assertEquals("hello 0", first.path("data").path("content").asText());
        assertTrue(status().path("lastError").isNull());

        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("wagateway_forwarding_events_total{outcome=\"delivered\"}"), metrics);
        await().atMost(WAIT).until(() -> given().get("/q/metrics").then().extract().asString()
                .contains("wagateway_forwarding_lag_events{tenant=\"" + tenant.id() + "\"} 0.0"));
    }

    @Test
    void aReceiverThatIsDownForAWhileLosesNothingAndIsCaughtUp() {
        put(settings(receiver.url(), List.of())).statusCode(200);
        long start = lastSeq();
        receiver.answer = 503;
        inbound(3);
        await().atMost(WAIT).until(() -> status().path("failedAttempts").asInt() >= 2);
        JsonNode failing = status();
        assertEquals("HTTP 503", failing.path("lastError").asText(), failing.toString());
        assertEquals(start, failing.path("lastDeliveredSeq").asLong());
        assertEquals(lastSeq() - start, failing.path("lag").asLong());
        assertFalse(failing.path("nextAttemptAt").isNull(), failing.toString());
        // every retry is the same first event, nothing jumped ahead
        receiver.all().forEach(d -> assertEquals(start + 1, d.seq()));

        inbound(2);
        receiver.answer = 200;
        awaitCaughtUp();
        assertEquals(LongStream.rangeClosed(start + 1, lastSeq()).boxed().toList(), receiver.acceptedSeqs());
        JsonNode healthy = status();
        assertTrue(healthy.path("lastError").isNull(), healthy.toString());
        assertEquals(0, healthy.path("failedAttempts").asInt());
    }

    @Test
    void aClosedReceiverIsRetriedAndANewUrlKeepsTheCursor() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        put(settings("http://127.0.0.1:" + closedPort + "/events", List.of())).statusCode(200);
        long start = lastSeq();
        inbound(2);
        await().atMost(WAIT).until(() -> status().path("lastError").asText().contains("connection refused"));
        assertEquals(start, status().path("lastDeliveredSeq").asLong());

        // the host application moved: replacing the URL keeps the cursor, nothing is lost
        put(settings(receiver.url(), List.of())).statusCode(200).body("lastDeliveredSeq", equalTo((int) start));
        assertTrue(status().path("lastError").isNull());
        awaitCaughtUp();
        assertEquals(LongStream.rangeClosed(start + 1, lastSeq()).boxed().toList(), receiver.acceptedSeqs());
    }

    @Test
    void theEventsFilterForwardsOnlyTheNamedEventsAndStillMovesTheCursor() {
        put(settings(receiver.url(), List.of("new_message"))).statusCode(200).body("events", equalTo(List.of("new_message")));
        inbound(4);
        awaitCaughtUp(); // the conversation_updated events were passed over, the lag is 0
        List<EventReceiver.Delivery> got = receiver.accepted();
        assertEquals(4, got.size(), got.toString());
        got.forEach(d -> assertEquals("new_message", d.json().path("event").asText()));
        List<Long> seqs = receiver.acceptedSeqs();
        for (int i = 1; i < seqs.size(); i++) {
            assertTrue(seqs.get(i) > seqs.get(i - 1), seqs.toString());
        }
    }

    @Test
    void fromSeqReplaysFromThatPointOfTheLog() {
        inbound(2);
        long before = lastSeq();
        put(Map.of("url", receiver.url(), "secret", SECRET, "fromSeq", before + 1)).statusCode(400)
                .body("errors.field", hasItem("fromSeq"));
        put(Map.of("url", receiver.url(), "secret", SECRET, "fromSeq", before - 2)).statusCode(200)
                .body("lastDeliveredSeq", equalTo((int) before - 2)).body("events", equalTo(List.of()));
        inbound(1);
        awaitCaughtUp();
        assertEquals(LongStream.rangeClosed(before - 1, lastSeq()).boxed().toList(), receiver.acceptedSeqs());
    }

    @Test
    void eventsPastTheRetentionAreSkippedAndSaidSo() {
        inbound(2); // seqs 1..4 at least
        long last = lastSeq();
        // what the retention job does to old events
        db.count("with trimmed as (delete from event where tenant_id = $1 and seq <= 2 returning 1) "
                + "select count(*) from trimmed", tenant.id());
        put(Map.of("url", receiver.url(), "secret", SECRET, "fromSeq", 0)).statusCode(200);
        awaitCaughtUp();
        assertEquals(LongStream.rangeClosed(3, last).boxed().toList(), receiver.acceptedSeqs());
        admin().get(PATH + "/status").then().body("lastError",
                equalTo("events 1 to 2 were older than the event retention and were not forwarded"));
    }

    @Test
    void deleteStopsForwarding() {
        put(settings(receiver.url(), List.of())).statusCode(200);
        inbound(1);
        awaitCaughtUp();
        int delivered = receiver.all().size();
        admin().delete(PATH).then().statusCode(204);
        admin().get(PATH).then().statusCode(404).body("code", equalTo("not_found"));
        admin().get(PATH + "/status").then().statusCode(404);
        admin().delete(PATH).then().statusCode(404);
        inbound(2);
        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(2))
                .until(() -> receiver.all().size() == delivered);
    }

    @Test
    void anotherTenantsAdminNeitherSeesNorChangesIt() {
        put(settings(receiver.url(), List.of())).statusCode(200);
        String otherAdmin = TestTokens.admin(Seeder.tenant(), "root");
        given().auth().oauth2(otherAdmin).get(PATH).then().statusCode(404);
        given().auth().oauth2(otherAdmin).get(PATH + "/status").then().statusCode(404);
        given().auth().oauth2(otherAdmin).delete(PATH).then().statusCode(404);
        admin().get(PATH).then().statusCode(200).body("url", equalTo(receiver.url()));
    }

    @Test
    void onlyAdminsMayUseIt() {
        for (String token : List.of(TestTokens.supervisor(tenant.id(), "boss"), TestTokens.agent(tenant.id(), "ann"))) {
            given().auth().oauth2(token).contentType(ContentType.JSON).body(settings(receiver.url(), List.of()))
                    .put(PATH).then().statusCode(403).contentType("application/problem+json")
                    .body("code", equalTo("forbidden"));
            given().auth().oauth2(token).get(PATH + "/status").then().statusCode(403);
            given().auth().oauth2(token).delete(PATH).then().statusCode(403);
        }
        given().get(PATH).then().statusCode(401);
        admin().get(PATH).then().statusCode(404); // nothing was created
    }

    @Test
    void badInputIsRefusedNamingTheField() {
        put(Map.of("secret", SECRET)).statusCode(400).contentType("application/problem+json")
                .body("errors.field", hasItem("url"));
        put(Map.of("url", "ftp://host.example/events", "secret", SECRET)).statusCode(400)
                .body("errors.field", hasItem("url")).body("detail", containsString("http or https"));
        put(Map.of("url", "not a url", "secret", SECRET)).statusCode(400).body("errors.field", hasItem("url"));
        put(Map.of("url", receiver.url(), "secret", "too-short")).statusCode(400).body("errors.field", hasItem("secret"));
        put(Map.of("url", receiver.url())).statusCode(400).body("errors.field", hasItem("secret"));
        put(Map.of("url", receiver.url(), "secret", SECRET, "events", List.of("typing_start"))).statusCode(400)
                .body("errors.field", hasItem("events"));
        put(Map.of("url", receiver.url(), "secret", SECRET, "fromSeq", -1)).statusCode(400)
                .body("errors.field", hasItem("fromSeq"));
        admin().body("{\"url\": 5").put(PATH).then().statusCode(400);
        admin().get(PATH).then().statusCode(404).body("detail", not(nullValue()));
    }
}
