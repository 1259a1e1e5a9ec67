package io.wagateway.collaboration;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.Vertx;
import io.wagateway.phonenumber.PhoneNumber;
import io.wagateway.support.Db;
import io.wagateway.support.Seeder;
import io.wagateway.support.TestTokens;
import io.wagateway.support.WsClient;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** app.assignment.auto: new conversations go round-robin to available, online agents. */
@QuarkusTest
@TestProfile(AutoAssignmentTest.AutoAssign.class)
class AutoAssignmentTest {

    public static class AutoAssign implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("app.assignment.auto", "true");
        }
    }

    @TestHTTPResource("/")
    URI base;

    @Inject
    Vertx vertx;

    @Inject
    Seeder seeder;

    @Inject
    Db db;

    @Test
    void newConversationsGoRoundRobinToAvailableOnlineAgentsOnly() {
        String tenant = Seeder.tenant();
        PhoneNumber number = seeder.phoneNumber(tenant);
        try (WsClient alice = agent(tenant, "alice"); WsClient bob = agent(tenant, "bob");
             WsClient busy = agent(tenant, "busy")) {
            busy.send("agent_status_update", Map.of("status", "busy"));
            alice.next("agent_status_changed");
            awaitOnline(alice, 3);

            String first = seeder.inbound(number, Seeder.number(), "One", "hi", Instant.now()).conversationId().toString();
            String second = seeder.inbound(number, Seeder.number(), "Two", "hi", Instant.now()).conversationId().toString();
            JsonNode toAlice = alice.next("chat_assigned");
            JsonNode toBob = bob.next("chat_assigned");
            assertEquals("auto", toAlice.path("data").path("assignedBy").asText());
            assertEquals(java.util.Set.of(first, second), java.util.Set.of(
                    toAlice.path("data").path("conversationId").asText(), toBob.path("data").path("conversationId").asText()));
            busy.assertNo("chat_assigned", Duration.ofMillis(300));

            // a further message in an assigned conversation assigns nothing again
            String customer = db.string("select c.wa_id from contact c join conversation v on v.contact_id = c.id "
                    + "where v.id = $1::uuid", first);
            seeder.inbound(number, customer, "One", "again", Instant.now());
            alice.assertNo("chat_assigned", Duration.ofMillis(300));
            bob.assertNo("chat_assigned", Duration.ofMillis(100));
        }
        // nobody online (once the disconnects are recorded): the conversation stays unassigned
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (db.count("select count(*) from presence where tenant_id = $1", tenant) > 0
                && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        String third = seeder.inbound(number, Seeder.number(), "Three", "hi", Instant.now()).conversationId().toString();
        assertNull(db.string("select assignee_id from conversation where id = $1::uuid", third));
    }

    private void awaitOnline(WsClient ws, int agents) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < deadline) {
            long online = 0;
            for (JsonNode agent : ws.ok("get_agents", Map.of()).path("data")) {
                online += agent.path("online").asBoolean() ? 1 : 0;
            }
            if (online == agents) {
                return;
            }
        }
        throw new AssertionError("agents not online in time");
    }

    private WsClient agent(String tenant, String user) {
        return WsClient.connect(vertx, base, TestTokens.agent(tenant, user));
    }
}
