package io.wagateway.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import io.wagateway.support.Db;
import io.wagateway.support.Seeder;
import io.wagateway.support.Tenants;
import io.wagateway.support.TestTenant;
import io.wagateway.support.TestTokens;
import io.wagateway.support.WsClient;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The agent directory (PROTOCOL.md 6.8) and assign_chat's permission-first rule. */
@QuarkusTest
class AgentDirectoryTest {

    private static final String PATH = "/api/admin/agents";

    @TestHTTPResource("/")
    URI base;

    @Inject
    Tenants tenants;

    @Inject
    Db db;

    @Inject
    Pool pool;

    private TestTenant tenant;
    private String conversationId;

    @BeforeEach
    void seed() {
        tenant = tenants.fresh(base);
        conversationId = tenant.inbound(Seeder.number(), "Cus", "hi", Instant.now().minusSeconds(60))
                .conversationId().toString();
    }

    private RequestSpecification admin() {
        return given().auth().oauth2(TestTokens.admin(tenant.id(), "root")).contentType(ContentType.JSON);
    }

    @Test
    void adminCreatesListsAndRenamesAgents() {
        admin().body(Map.of("agentId", "dana", "name", "Dana D.")).post(PATH).then().statusCode(201)
                .body("agentId", equalTo("dana")).body("name", equalTo("Dana D.")).body("active", equalTo(true))
                .body("online", equalTo(false)).body("status", equalTo("available"));
        admin().body(Map.of("agentId", "dana", "name", "Someone else")).post(PATH).then().statusCode(409)
                .contentType("application/problem+json").body("code", equalTo("conflict"));
        admin().get(PATH).then().statusCode(200).body("data.agentId", equalTo(List.of("dana")));

        admin().body(Map.of("name", "Dana Doe")).patch(PATH + "/dana").then().statusCode(200)
                .body("name", equalTo("Dana Doe")).body("active", equalTo(true));
        // her own token names her "Agent dana": the admin's name stays
        try (WsClient dana = WsClient.connect(tenant.vertx(), base, TestTokens.agent(tenant.id(), "dana"))) {
            JsonNode agents = dana.ok("get_agents", Map.of()).path("data");
            assertEquals("Dana Doe", agents.get(0).path("name").asText(), agents.toString());
            assertEquals(true, agents.get(0).path("online").asBoolean());
        }
        // agents recorded from their tokens are in the directory too
        try (WsClient eve = tenant.agent("eve")) {
            eve.ok("ping", Map.of());
        }
        admin().get(PATH).then().body("data.agentId", equalTo(List.of("eve", "dana"))) // by name
                .body("data[0].name", equalTo("Agent eve"));

        // bad input, unknown agents, other tenants, other roles
        admin().body(Map.of("agentId", "x")).post(PATH).then().statusCode(400).body("errors.field", hasItem("name"));
        admin().body(Map.of("agentId", "", "name", "x")).post(PATH).then().statusCode(400)
                .body("errors.field", hasItem("agentId"));
        admin().body(Map.of()).patch(PATH + "/dana").then().statusCode(400);
        admin().body(Map.of("active", false)).patch(PATH + "/nobody").then().statusCode(404)
                .body("code", equalTo("not_found"));
        String otherAdmin = TestTokens.admin(Seeder.tenant(), "root");
        given().auth().oauth2(otherAdmin).get(PATH).then().statusCode(200).body("data", hasSize(0));
        given().auth().oauth2(otherAdmin).contentType(ContentType.JSON).body(Map.of("active", false))
                .patch(PATH + "/dana").then().statusCode(404);
        given().auth().oauth2(TestTokens.supervisor(tenant.id(), "boss")).get(PATH).then().statusCode(403)
                .body("code", equalTo("forbidden"));
        given().auth().oauth2(TestTokens.agent(tenant.id(), "dana")).contentType(ContentType.JSON)
                .body(Map.of("agentId", "x", "name", "x")).post(PATH).then().statusCode(403);
        given().get(PATH).then().statusCode(401);
    }

    @Test
    void anAgentCanBeAssignedBeforeTheirFirstConnection() {
        admin().body(Map.of("agentId", "newbie", "name", "New Bie")).post(PATH).then().statusCode(201);
        given().auth().oauth2(TestTokens.supervisor(tenant.id(), "boss")).contentType(ContentType.JSON)
                .body(Map.of("agentId", "newbie")).post("/api/v1/conversations/{id}/assignee", conversationId)
                .then().statusCode(200).body("assignee", equalTo("newbie"));
        try (WsClient newbie = WsClient.connect(tenant.vertx(), base, TestTokens.agent(tenant.id(), "newbie"))) {
            JsonNode mine = newbie.ok("get_conversations", Map.of("assignedTo", "newbie")).path("data");
            assertEquals(conversationId, mine.get(0).path("id").asText());
        }
    }

    @Test
    void aDeactivatedAgentIsDisconnectedWith4403AndRefused() {
        WsClient dana = WsClient.connect(tenant.vertx(), base, TestTokens.agent(tenant.id(), "dana"));
        WsClient second = WsClient.connect(tenant.vertx(), base, TestTokens.agent(tenant.id(), "dana"));
        try (WsClient boss = tenant.supervisor("boss")) {
            dana.ok("ping", Map.of());
            second.ok("ping", Map.of());
            admin().body(Map.of("active", false)).patch(PATH + "/dana").then().statusCode(200)
                    .body("active", equalTo(false)).body("online", equalTo(false));
            assertEquals(4403, dana.awaitClose());
            assertEquals(4403, second.awaitClose());
            assertFalse(boss.isClosed());

            WsClient.Rejected refused = assertThrows(WsClient.Rejected.class,
                    () -> WsClient.connect(tenant.vertx(), base, TestTokens.agent(tenant.id(), "dana")));
            assertEquals(403, refused.status);
            given().auth().oauth2(TestTokens.agent(tenant.id(), "dana")).get("/api/v1/conversations")
                    .then().statusCode(403).body("code", equalTo("forbidden"));

            // still listed, as deactivated; no longer assignable
            JsonNode agents = boss.ok("get_agents", Map.of()).path("data");
            JsonNode entry = agents.get(0).path("agentId").asText().equals("dana") ? agents.get(0) : agents.get(1);
            assertEquals(false, entry.path("active").asBoolean(), agents.toString());
            given().auth().oauth2(TestTokens.supervisor(tenant.id(), "boss")).contentType(ContentType.JSON)
                    .body(Map.of("agentId", "dana")).post("/api/v1/conversations/{id}/assignee", conversationId)
                    .then().statusCode(400).body("errors.field", hasItem("agentId"));

            admin().body(Map.of("active", true)).patch(PATH + "/dana").then().statusCode(200)
                    .body("active", equalTo(true));
            try (WsClient back = WsClient.connect(tenant.vertx(), base, TestTokens.agent(tenant.id(), "dana"))) {
                back.ok("ping", Map.of());
            }
        } finally {
            dana.close();
            second.close();
        }
    }

    /** Another replica deactivated the agent: this one closes its connections at the next directory refresh. */
    @Test
    void aDeactivationElsewhereClosesConnectionsHereWithinTheRefresh() throws Throwable {
        try (WsClient frank = tenant.agent("frank")) {
            frank.ok("ping", Map.of());
            VertxContextSupport.subscribeAndAwait(() -> pool
                    .preparedQuery("update agent set active = false where tenant_id = $1 and id = $2")
                    .execute(Tuple.of(tenant.id(), "frank")));
            assertEquals(4403, frank.awaitClose()); // the default refresh is 5 s, the wait 10 s
        }
        assertThrows(WsClient.Rejected.class, () -> tenant.agent("frank"));
    }

    @Test
    void permissionComesBeforeTheTargetAgent() {
        try (WsClient bob = tenant.agent("bob"); WsClient carol = tenant.agent("carol")) {
            bob.ok("ping", Map.of());
            carol.ok("ping", Map.of());
            // an unassigned chat given to someone else: forbidden, whether or not that someone exists
            assertAssignError(bob, "carol", "forbidden");
            assertAssignError(bob, "ghost", "forbidden");
            given().auth().oauth2(TestTokens.agent(tenant.id(), "bob")).contentType(ContentType.JSON)
                    .body(Map.of("agentId", "ghost")).post("/api/v1/conversations/{id}/assignee", conversationId)
                    .then().statusCode(403).body("code", equalTo("forbidden"));
            // an assigned chat: the same
            carol.send("assign_chat", Map.of("conversationId", conversationId, "agentId", "carol"));
            carol.next("chat_assigned");
            assertAssignError(bob, "ghost", "forbidden");
            assertAssignError(bob, "bob", "forbidden");
            // a supervisor may assign: then an unknown agent is not_found
            try (WsClient boss = tenant.supervisor("boss")) {
                assertAssignError(boss, "ghost", "not_found");
            }
            assertEquals("carol", db.string("select assignee_id from conversation where id = $1::uuid", conversationId));
        }
        given().auth().oauth2(TestTokens.supervisor(tenant.id(), "boss")).get("/api/v1/conversations")
                .then().body("data.assignee", not(hasItem("ghost")));
    }

    private void assertAssignError(WsClient ws, String agentId, String code) {
        String id = ws.send("assign_chat", Map.of("conversationId", conversationId, "agentId", agentId));
        JsonNode error = ws.next("error");
        assertEquals(id, error.path("requestId").asText());
        assertEquals(code, error.path("data").path("code").asText(), error.toString());
    }
}
