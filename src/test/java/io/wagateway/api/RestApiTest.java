package io.wagateway.api;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.wagateway.conversation.InboundMessageService;
import io.wagateway.support.Db;
import io.wagateway.support.FakeGraphApi;
import io.wagateway.support.FakeGraphResource;
import io.wagateway.support.Seeder;
import io.wagateway.support.Tenants;
import io.wagateway.support.TestTenant;
import io.wagateway.support.TestTokens;
import io.wagateway.support.WsClient;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The REST API (PROTOCOL.md 6.7) end to end, in cloud mode against the Graph API imitation: every
 * endpoint, tenant scoping, roles, bad input, idempotent sends and the 24-hour window.
 */
@QuarkusTest
@QuarkusTestResource(value = FakeGraphResource.class, restrictToAnnotatedClass = true)
class RestApiTest {

    private static final String PROBLEM = "application/problem+json";

    @TestHTTPResource("/")
    URI base;

    @Inject
    Tenants tenants;

    @Inject
    Db db;

    @FakeGraphResource.InjectFakeGraph
    FakeGraphApi graph;

    private TestTenant tenant;
    private TestTenant other;
    private String customer;
    private InboundMessageService.Result inbound;
    private final Instant start = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS);

    @BeforeEach
    void seed() {
        graph.reset();
        tenant = tenants.fresh(base);
        other = tenants.fresh(base);
        customer = Seeder.number();
        inbound = tenant.inbound(customer, "Carla", "hello", start);
    }

    private RequestSpecification as(String token) {
        return given().auth().oauth2(token).accept(ContentType.JSON);
    }

    private RequestSpecification agent() {
        return as(TestTokens.agent(tenant.id(), "alice"));
    }

    private RequestSpecification stranger() {
        return as(TestTokens.supervisor(other.id(), "mallory"));
    }

    private String conversationId() {
        return inbound.conversationId().toString();
    }

    @Test
    void numbersTheirStatusAndQrCode() {
        String number = tenant.number().phoneNumberId;
        agent().get("/api/v1/numbers").then().statusCode(200)
                .body("data", hasSize(1))
                .body("data[0].phoneNumberId", equalTo(number))
                .body("data[0].default", equalTo(true))
                .body("nextCursor", nullValue());
        agent().get("/api/v1/numbers/{id}/status", number).then().statusCode(200)
                .body("phoneNumberId", equalTo(number))
                .body("connected", equalTo(true));
        String code = agent().queryParam("prefilledMessage", "Hi!").get("/api/v1/numbers/{id}/qr-code", number)
                .then().statusCode(200).body("prefilledMessage", equalTo("Hi!")).extract().path("code");
        agent().get("/api/v1/numbers/{id}/qr-code", number).then().statusCode(200).body("code", equalTo(code));
        String fresh = agent().queryParam("forceNew", true).get("/api/v1/numbers/{id}/qr-code", number)
                .then().statusCode(200).extract().path("code");
        assertNotEquals(code, fresh);

        // another tenant's number is not there, whatever the caller's role
        stranger().get("/api/v1/numbers/{id}/status", number).then().statusCode(404)
                .contentType(PROBLEM).body("code", equalTo("not_found"));
        stranger().get("/api/v1/numbers/{id}/qr-code", number).then().statusCode(404);
        stranger().get("/api/v1/numbers").then().statusCode(200)
                .body("data.phoneNumberId", not(hasItem(number)));
    }

    @Test
    void contactsPageWithCursorsAndSearch() {
        for (String name : List.of("Bob", "alice", "Dave")) {
            tenant.inbound(Seeder.number(), name, "hi", start);
        }
        ExtractableResponse<Response> first = agent().queryParam("limit", 2).get("/api/v1/contacts")
                .then().statusCode(200).body("data.name", equalTo(List.of("alice", "Bob")))
                .body("nextCursor", notNullValue()).extract();
        agent().queryParam("limit", 2).queryParam("cursor", first.path("nextCursor").toString())
                .get("/api/v1/contacts").then().statusCode(200)
                .body("data.name", equalTo(List.of("Carla", "Dave"))).body("nextCursor", nullValue());
        agent().queryParam("search", "dav").get("/api/v1/contacts").then().statusCode(200)
                .body("data.name", equalTo(List.of("Dave")));
        stranger().get("/api/v1/contacts").then().statusCode(200).body("data", hasSize(0));

        badField(agent().queryParam("limit", 0).get("/api/v1/contacts"), "limit");
        badField(agent().queryParam("limit", 201).get("/api/v1/contacts"), "limit");
        badField(agent().queryParam("cursor", "garbage").get("/api/v1/contacts"), "cursor");
        // PostgreSQL text cannot hold NUL: refused before any query runs, in the query and in the path
        agent().urlEncodingEnabled(false).get("/api/v1/contacts?search=a%00b").then().statusCode(400)
                .contentType(PROBLEM).body("code", equalTo("bad_request"));
        agent().urlEncodingEnabled(false).get("/api/v1/messages/a%00b").then().statusCode(400)
                .contentType(PROBLEM).body("code", equalTo("bad_request"));
    }

    @Test
    void conversationsListFilterAndMessages() {
        String second = Seeder.number();
        InboundMessageService.Result newer = tenant.inbound(second, "Zed", "later", start.plusSeconds(60));
        tenant.inbound(customer, "Carla", "again", start.plusSeconds(10));

        agent().get("/api/v1/conversations").then().statusCode(200)
                .body("data.id", equalTo(List.of(newer.conversationId().toString(), conversationId())))
                .body("data[0].contact.waId", equalTo(second))
                .body("data[0].windowOpen", equalTo(true));
        ExtractableResponse<Response> page = agent().queryParam("limit", 1).get("/api/v1/conversations")
                .then().statusCode(200).body("data", hasSize(1)).extract();
        agent().queryParam("limit", 1).queryParam("cursor", page.path("nextCursor").toString())
                .get("/api/v1/conversations").then().statusCode(200)
                .body("data.id", equalTo(List.of(conversationId())));
        agent().queryParam("status", "closed").get("/api/v1/conversations").then().statusCode(200)
                .body("data", hasSize(0));
        agent().queryParam("phoneNumberId", tenant.number().phoneNumberId).get("/api/v1/conversations")
                .then().statusCode(200).body("data", hasSize(2));
        agent().queryParam("phoneNumberId", other.number().phoneNumberId).get("/api/v1/conversations")
                .then().statusCode(404).body("code", equalTo("not_found"));
        badField(agent().queryParam("status", "archived").get("/api/v1/conversations"), "status");
        stranger().get("/api/v1/conversations").then().statusCode(200).body("data", hasSize(0));

        ExtractableResponse<Response> latest = agent().queryParam("limit", 1)
                .get("/api/v1/conversations/{id}/messages", conversationId())
                .then().statusCode(200).body("data.content", equalTo(List.of("again"))).extract();
        agent().queryParam("before", latest.path("nextCursor").toString())
                .get("/api/v1/conversations/{id}/messages", conversationId())
                .then().statusCode(200).body("data.content", equalTo(List.of("hello")))
                .body("data[0].direction", equalTo("inbound"))
                .body("nextCursor", nullValue());
        agent().queryParam("cursor", latest.path("nextCursor").toString())
                .get("/api/v1/conversations/{id}/messages", conversationId())
                .then().statusCode(200).body("data.content", equalTo(List.of("hello")));
        stranger().get("/api/v1/conversations/{id}/messages", conversationId()).then().statusCode(404)
                .contentType(PROBLEM).body("code", equalTo("not_found")).body("status", equalTo(404));
        agent().get("/api/v1/conversations/{id}/messages", "not-an-id").then().statusCode(404);
    }

    @Test
    void messagesBetweenEitherOrder() {
        tenant.inbound(customer, "Carla", "second", start.plusSeconds(5));
        String business = tenant.number().displayPhoneNumber;
        agent().queryParam("from", "+" + business).queryParam("to", customer).get("/api/v1/messages/between")
                .then().statusCode(200).body("data.content", equalTo(List.of("hello", "second")));
        agent().queryParam("from", customer).queryParam("to", business).queryParam("limit", 1)
                .queryParam("offset", 1).get("/api/v1/messages/between")
                .then().statusCode(200).body("data.content", equalTo(List.of("hello")));
        stranger().queryParam("from", business).queryParam("to", customer).get("/api/v1/messages/between")
                .then().statusCode(404).body("code", equalTo("not_found"));
        badField(agent().queryParam("to", customer).get("/api/v1/messages/between"), "from");
        badField(agent().queryParam("from", "abc").queryParam("to", customer).get("/api/v1/messages/between"), "from");
        badField(agent().queryParam("from", business).queryParam("to", customer).queryParam("offset", -1)
                .get("/api/v1/messages/between"), "offset");
    }

    @Test
    void sendIsAcceptedSentOnceAndIdempotentOnTheKey() {
        inbound = tenant.inbound(customer, "Carla", "recent", Instant.now().minusSeconds(30)); // window open
        Map<String, Object> body = Map.of("to", customer, "message", "On its way", "conversationId", conversationId());
        ExtractableResponse<Response> first = agent().header("Idempotency-Key", "order-42").contentType(ContentType.JSON)
                .body(body).post("/api/v1/messages").then().statusCode(202)
                .body("status", equalTo("pending")).body("clientMessageId", equalTo("order-42"))
                .header("Location", containsString("/api/v1/messages/")).extract();
        String messageId = first.path("messageId");
        assertTrue(first.header("Location").endsWith("/api/v1/messages/" + messageId));
        graph.await("/messages", 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> "sent".equals(
                db.string("select status from message where id = $1::uuid", messageId)));

        // a retry (and one by a colleague of the tenant): the same answer, nothing stored, nothing sent
        ExtractableResponse<Response> again = as(TestTokens.supervisor(tenant.id(), "boss"))
                .header("Idempotency-Key", "order-42").contentType(ContentType.JSON).body(body)
                .post("/api/v1/messages").then().statusCode(202).extract();
        assertEquals(first.body().asString(), again.body().asString());
        assertEquals(first.header("Location"), again.header("Location"));
        assertEquals(1, db.count("select count(*) from message where tenant_id = $1 and client_message_id = 'order-42'",
                tenant.id()));
        sleep(300);
        assertEquals(1, graph.requests("/messages").size());

        // the key is the WebSocket's clientMessageId: the same key space
        try (WsClient ws = tenant.agent("alice")) {
            ws.send("send_message", Map.of("to", customer, "message", "On its way", "clientMessageId", "order-42"));
            assertEquals(messageId, ws.next("message_sent").path("data").path("data").path("messageId").asText());
        }
        // the same key in another tenant is another send: checked on its own (this customer never wrote there: 422)
        stranger().header("Idempotency-Key", "order-42").contentType(ContentType.JSON)
                .body(Map.of("to", customer, "message", "hi")).post("/api/v1/messages").then().statusCode(422);

        agent().get("/api/v1/messages/{id}", messageId).then().statusCode(200)
                .body("id", equalTo(messageId)).body("status", equalTo("sent"))
                .body("waMessageId", startsWith("wamid.fake-")).body("direction", equalTo("outbound"))
                .body("sentBy", equalTo("alice")).body("conversationId", equalTo(conversationId()));
        stranger().get("/api/v1/messages/{id}", messageId).then().statusCode(404).body("code", equalTo("not_found"));
        agent().get("/api/v1/messages/{id}", UUID.randomUUID().toString()).then().statusCode(404);
        agent().get("/api/v1/messages/{id}", inbound.messageId().toString()).then().statusCode(200)
                .body("status", equalTo("received"));
    }

    @Test
    void concurrentRetriesOfOneKeySendOnce() throws Exception {
        inbound = tenant.inbound(customer, "Carla", "recent", Instant.now().minusSeconds(30));
        String token = TestTokens.agent(tenant.id(), "alice");
        List<Thread> threads = new ArrayList<>();
        List<String> answers = new CopyOnWriteArrayList<>();
        for (int i = 0; i < 6; i++) {
            Thread t = new Thread(() -> answers.add(as(token).header("Idempotency-Key", "burst-1")
                    .contentType(ContentType.JSON).body(Map.of("to", customer, "message", "once"))
                    .post("/api/v1/messages").then().statusCode(202).extract().body().asString()));
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join(10_000);
        }
        assertEquals(6, answers.size());
        assertEquals(1, answers.stream().distinct().count(), answers.toString());
        graph.await("/messages", 1);
        sleep(300);
        assertEquals(1, graph.requests("/messages").size());
    }

    @Test
    void aSendOutsideTheWindowIs422AndCallsNobody() {
        // the customer last wrote 30 hours ago
        TestTenant quiet = tenants.fresh(base);
        String old = Seeder.number();
        InboundMessageService.Result stale = quiet.inbound(old, "Olaf", "long ago", Instant.now().minus(Duration.ofHours(30)));
        as(TestTokens.agent(quiet.id(), "alice")).header("Idempotency-Key", "late-1").contentType(ContentType.JSON)
                .body(Map.of("to", old, "message", "still there?", "conversationId", stale.conversationId().toString()))
                .post("/api/v1/messages").then().statusCode(422).contentType(PROBLEM)
                .body("code", equalTo("outside_window")).body("status", equalTo(422))
                .body("title", notNullValue()).body("detail", containsString("24 hours"));
        assertEquals(0, db.count("select count(*) from message where tenant_id = $1 and direction = 'outbound'",
                quiet.id()));
        // a template may go
        as(TestTokens.agent(quiet.id(), "alice")).contentType(ContentType.JSON)
                .body(Map.of("to", old, "type", "template", "template", Map.of("name", "hello_world", "language", "en_US")))
                .post("/api/v1/messages").then().statusCode(202);
        graph.await("/messages", 1);
        sleep(200);
        assertEquals(1, graph.requests("/messages").size());
    }

    @Test
    void badSendsNameTheField() {
        badField(agent().contentType(ContentType.JSON).body(Map.of("message", "no recipient")).post("/api/v1/messages"),
                "to");
        badField(agent().contentType(ContentType.JSON).body(Map.of("to", "12", "message", "x")).post("/api/v1/messages"),
                "to");
        badField(agent().contentType(ContentType.JSON).body(Map.of("to", customer, "type", "fax"))
                .post("/api/v1/messages"), "type");
        badField(agent().contentType(ContentType.JSON).body(Map.of("to", customer, "message", "x".repeat(4097)))
                .post("/api/v1/messages"), "message");
        badField(agent().contentType(ContentType.JSON).body(Map.of("to", customer, "message", List.of("x")))
                .post("/api/v1/messages"), "message");
        badField(agent().contentType(ContentType.JSON).header("Idempotency-Key", "a")
                .body(Map.of("to", customer, "message", "x", "clientMessageId", "b")).post("/api/v1/messages"),
                "Idempotency-Key");
        badField(agent().contentType(ContentType.JSON).body(Map.of("to", customer, "type", "image"))
                .post("/api/v1/messages"), "media");
        agent().contentType(ContentType.JSON).body("{not json").post("/api/v1/messages").then().statusCode(400)
                .contentType(PROBLEM).body("code", equalTo("bad_request"));
        agent().contentType(ContentType.JSON).post("/api/v1/messages").then().statusCode(400)
                .contentType(PROBLEM);
        agent().contentType(ContentType.JSON)
                .body(Map.of("to", customer, "message", "x", "conversationId", other.number().id.toString()))
                .post("/api/v1/messages").then().statusCode(404).body("code", equalTo("not_found"));
        agent().contentType(ContentType.JSON).body(Map.of("to", customer, "message", "nul\u0000"))
                .post("/api/v1/messages").then().statusCode(400).body("code", equalTo("bad_request"));
        agent().queryParam("search", "a\u0000b").get("/api/v1/contacts").then().statusCode(400);
        assertEquals(0, graph.requests("/messages").size());
    }

    @Test
    void assignAndCloseWithTheWebSocketsPermissions() {
        try (WsClient bob = tenant.agent("bob"); WsClient carol = tenant.agent("carol")) {
            bob.ok("ping", Map.of()); // both agents are known once their connections are
            carol.ok("ping", Map.of());
            String supervisor = TestTokens.supervisor(tenant.id(), "boss");
            as(supervisor).contentType(ContentType.JSON).body(Map.of("agentId", "bob"))
                    .post("/api/v1/conversations/{id}/assignee", conversationId())
                    .then().statusCode(200).body("assignee", equalTo("bob")).body("id", equalTo(conversationId()));
            assertEquals("chat_assigned", bob.next("chat_assigned").path("event").asText());

            // an agent may not take an assigned chat, nor give one away: the service's rule
            as(TestTokens.agent(tenant.id(), "carol")).contentType(ContentType.JSON).body(Map.of("agentId", "carol"))
                    .post("/api/v1/conversations/{id}/assignee", conversationId())
                    .then().statusCode(403).contentType(PROBLEM).body("code", equalTo("forbidden"));
            as(supervisor).contentType(ContentType.JSON).body(Map.of("agentId", "nobody"))
                    .post("/api/v1/conversations/{id}/assignee", conversationId())
                    .then().statusCode(404).body("code", equalTo("not_found"));
            stranger().contentType(ContentType.JSON).body(Map.of("agentId", "bob"))
                    .post("/api/v1/conversations/{id}/assignee", conversationId()).then().statusCode(404);
            badField(as(supervisor).contentType(ContentType.JSON).body(Map.of("agentId", ""))
                    .post("/api/v1/conversations/{id}/assignee", conversationId()), "agentId");

            agent().contentType(ContentType.JSON).body(Map.of("status", "closed"))
                    .patch("/api/v1/conversations/{id}", conversationId())
                    .then().statusCode(200).body("status", equalTo("closed")).body("assignee", equalTo("bob"));
            agent().queryParam("status", "closed").get("/api/v1/conversations").then()
                    .body("data.id", equalTo(List.of(conversationId())));
            badField(agent().contentType(ContentType.JSON).body(Map.of("status", "archived"))
                    .patch("/api/v1/conversations/{id}", conversationId()), "status");
            stranger().contentType(ContentType.JSON).body(Map.of("status", "open"))
                    .patch("/api/v1/conversations/{id}", conversationId()).then().statusCode(404)
                    .body("code", equalTo("not_found"));
        }
    }

    @Test
    void tokensAndRolesAsForTheWebSocket() {
        for (String path : List.of("/api/v1/numbers", "/api/v1/contacts", "/api/v1/conversations",
                "/api/v1/messages/" + UUID.randomUUID())) {
            given().get(path).then().statusCode(401).contentType(PROBLEM).header("WWW-Authenticate", "Bearer")
                    .body("code", equalTo("unauthorized"));
            as(TestTokens.expired(tenant.id(), "alice")).get(path).then().statusCode(401)
                    .body("code", equalTo("unauthorized"));
            as(TestTokens.foreignKey(tenant.id(), "alice")).get(path).then().statusCode(401);
            as(TestTokens.wrongIssuer(tenant.id(), "alice")).get(path).then().statusCode(401);
            as(TestTokens.algNone(tenant.id(), "alice")).get(path).then().statusCode(401);
            as(TestTokens.noTenant("alice")).get(path).then().statusCode(401).body("code", equalTo("unauthorized"));
            as(TestTokens.token(tenant.id(), "guest", "viewer")).get(path).then().statusCode(403)
                    .contentType(PROBLEM).body("code", equalTo("forbidden"));
        }
        given().contentType(ContentType.JSON).body(Map.of("to", customer, "message", "x")).post("/api/v1/messages")
                .then().statusCode(401);
        as(TestTokens.token(tenant.id(), "guest", "viewer")).contentType(ContentType.JSON)
                .body(Map.of("to", customer, "message", "x")).post("/api/v1/messages").then().statusCode(403);
        agent().get("/api/v1/no-such-thing").then().statusCode(404).contentType(PROBLEM)
                .body("code", equalTo("not_found"));
        assertEquals(0, graph.requests("/messages").size());
    }

    private static void badField(Response response, String field) {
        response.then().statusCode(400).contentType(PROBLEM)
                .body("code", equalTo("bad_request"))
                .body("status", equalTo(400))
                .body("errors.field", hasItem(field));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
