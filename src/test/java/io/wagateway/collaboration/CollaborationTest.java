package io.wagateway.collaboration;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.wagateway.conversation.InboundMessageService;
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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Agents working together: typing, read receipts, presence, status and assignment. */
@QuarkusTest
class CollaborationTest {

    @TestHTTPResource("/")
    URI base;

    @Inject
    Vertx vertx;

    @Inject
    Tenants tenants;

    @Inject
    Db db;

    private TestTenant tenant;
    private InboundMessageService.Result first;
    private String conversationId;

    @BeforeEach
    void seed() {
        tenant = tenants.fresh(base);
        first = tenant.inbound(Seeder.number(), "Cus", "hello", Instant.now().minusSeconds(30));
        conversationId = first.conversationId().toString();
    }

    @Test
    void typingReachesTheOthersInTheRoomButNeverTheTypist() {
        try (WsClient alice = tenant.agent("alice"); WsClient bob = tenant.agent("bob"); WsClient outside = tenant.agent("carol")) {
            alice.ok("join_conversation", Map.of("conversationId", conversationId));
            bob.ok("join_conversation", Map.of("conversationId", conversationId));
            alice.send("typing_start", Map.of("conversationId", conversationId));
            JsonNode typing = bob.next("user_typing");
            assertEquals("alice", typing.path("data").path("userId").asText());
            assertEquals(conversationId, typing.path("data").path("conversationId").asText());
            alice.send("typing_start", Map.of("conversationId", conversationId)); // keeps it alive, no repeat
            alice.send("typing_stop", Map.of("conversationId", conversationId));
            assertEquals("alice", bob.next("user_stop_typing").path("data").path("userId").asText());
            bob.assertNo("user_typing", Duration.ofMillis(300));
            alice.assertNo("user_typing", Duration.ofMillis(100));
            outside.assertNo("user_typing", Duration.ofMillis(100));
        }
    }

    @Test
    void typingExpiresByItselfAndWhenTheTypistDisconnects() {
        try (WsClient bob = tenant.agent("bob")) {
            bob.ok("join_conversation", Map.of("conversationId", conversationId));
            try (WsClient alice = tenant.agent("alice")) {
                alice.send("typing_start", Map.of("conversationId", conversationId));
                bob.next("user_typing");
                bob.next("user_stop_typing"); // expiry (1 s in tests)
                alice.send("typing_start", Map.of("conversationId", conversationId));
                bob.next("user_typing");
            }
            assertEquals("alice", bob.next("user_stop_typing").path("data").path("userId").asText());
        }
    }

    @Test
    void typingInAnotherTenantsConversationIsNotFound() {
        try (WsClient stranger = WsClient.connect(vertx, base, TestTokens.agent(Seeder.tenant(), "eve"))) {
            stranger.sendRaw("{\"event\":\"typing_start\",\"requestId\":\"t1\",\"data\":{\"conversationId\":\""
                    + conversationId + "\"}}");
            JsonNode error = stranger.next("error");
            assertEquals("not_found", error.path("data").path("code").asText());
            assertEquals("t1", error.path("requestId").asText());
        }
    }

    @Test
    void readingMovesTheUnreadCountOnlyForwardAndTellsTheRoom() {
        InboundMessageService.Result second = tenant.inbound(customer(), "Cus", "two", Instant.now().minusSeconds(20));
        tenant.inbound(customer(), "Cus", "three", Instant.now().minusSeconds(10));
        try (WsClient alice = tenant.agent("alice"); WsClient bob = tenant.agent("bob")) {
            bob.ok("join_conversation", Map.of("conversationId", conversationId));
            alice.send("message_read", Map.of("conversationId", conversationId, "messageId",
                    second.messageId().toString()));
            JsonNode receipt = bob.next("message_read_receipt");
            assertEquals("alice", receipt.path("data").path("readBy").asText());
            assertEquals(second.messageId().toString(), receipt.path("data").path("messageId").asText());
            assertTrue(receipt.path("seq").asLong() > 0);
            assertEquals(1, bob.next("conversation_updated").path("data").path("unreadCount").asInt());
            // an older message read later changes nothing
            alice.send("message_read", Map.of("conversationId", conversationId, "messageId",
                    first.messageId().toString()));
            bob.assertNo("message_read_receipt", Duration.ofMillis(300));
            assertEquals(1L, db.count("select unread_count from conversation where id = $1", first.conversationId()));
            JsonNode missing = alice.request("message_read", Map.of("conversationId", conversationId,
                    "messageId", "00000000-0000-0000-0000-000000000000"));
            assertEquals("not_found", missing.path("data").path("code").asText());
        }
    }

    @Test
    void unreadCountIsExactUnderConcurrentInboundMessagesAndReads() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<CompletableFuture<InboundMessageService.Result>> inbound = new ArrayList<>();
        try (WsClient alice = tenant.agent("alice")) {
            for (int i = 0; i < 30; i++) {
                int n = i;
                inbound.add(CompletableFuture.supplyAsync(() -> tenant.inbound(customer(), "Cus", "m" + n,
                        Instant.now()), pool));
                if (i % 5 == 4) {
                    InboundMessageService.Result latest = inbound.get(i - 2).get(10, TimeUnit.SECONDS);
                    alice.send("message_read", Map.of("conversationId", conversationId,
                            "messageId", latest.messageId().toString()));
                }
            }
            for (var f : inbound) {
                f.get(30, TimeUnit.SECONDS);
            }
            alice.ok("ping", Map.of()); // the reads before it have run
        } finally {
            pool.shutdown();
        }
        long expected = db.count("""
                select count(*) from message m join conversation c on c.id = m.conversation_id
                 where c.id = $1 and m.direction = 'inbound'
                   and (c.read_up_to_ts is null or (m.ts, m.pos) > (c.read_up_to_ts, c.read_up_to_pos))""",
                first.conversationId());
        assertEquals(expected, db.count("select unread_count from conversation where id = $1", first.conversationId()));
        assertTrue(expected < 31);
    }

    @Test
    void presenceFlipsOncePerUserAcrossConnections() {
        try (WsClient observer = tenant.agent("obs")) {
            assertEquals("obs", observer.next("user_online").path("data").path("userId").asText()); // itself
            WsClient tab1 = tenant.agent("alice");
            assertEquals("alice", observer.next("user_online").path("data").path("userId").asText());
            WsClient tab2 = tenant.agent("alice");
            tab2.ok("ping", Map.of());
            observer.assertNo("user_online", Duration.ofMillis(300));
            tab1.close();
            observer.assertNo("user_offline", Duration.ofMillis(300));
            JsonNode agents = observer.ok("get_agents", Map.of()).path("data");
            assertTrue(online(agents, "alice"));
            tab2.close();
            assertEquals("alice", observer.next("user_offline").path("data").path("userId").asText());
            assertTrue(!online(observer.ok("get_agents", Map.of()).path("data"), "alice"));
        }
    }

    @Test
    void agentStatusPersistsAndIsBroadcast() {
        try (WsClient alice = tenant.agent("alice"); WsClient bob = tenant.agent("bob")) {
            alice.send("agent_status_update", Map.of("status", "busy"));
            JsonNode changed = bob.next("agent_status_changed");
            assertEquals("alice", changed.path("data").path("agentId").asText());
            assertEquals("busy", changed.path("data").path("status").asText());
            JsonNode agents = bob.ok("get_agents", Map.of()).path("data");
            for (JsonNode agent : agents) {
                if ("alice".equals(agent.path("agentId").asText())) {
                    assertEquals("busy", agent.path("status").asText());
                }
            }
        }
    }

    @Test
    void assignmentFollowsThePermissions() {
        try (WsClient boss = tenant.supervisor("boss");
             WsClient bob = tenant.agent("bob"); WsClient carol = tenant.agent("carol")) {
            carol.ok("join_general", Map.of()); // the inbox list: where conversation_updated reaches her
            boss.send("assign_chat", Map.of("conversationId", conversationId, "agentId", "bob"));
            JsonNode assigned = bob.next("chat_assigned");
            assertEquals(conversationId, assigned.path("data").path("conversationId").asText());
            assertEquals("boss", assigned.path("data").path("assignedBy").asText());
            assertEquals("Cus", assigned.path("data").path("customerInfo").path("name").asText());
            assertTrue(assigned.path("seq").asLong() > 0);
            assertEquals("bob", carol.next("conversation_updated").path("data").path("assignee").asText());
            carol.assertNo("chat_assigned", Duration.ofMillis(200));

            // an agent may not assign others, nor take a chat someone else has
            assertError(carol, Map.of("conversationId", conversationId, "agentId", "bob"), "forbidden");
            assertError(carol, Map.of("conversationId", conversationId, "agentId", "carol"), "forbidden");
            assertError(boss, Map.of("conversationId", conversationId, "agentId", "nobody"), "not_found");

            // an unassigned chat an agent may take for themselves
            String other = tenant.inbound(Seeder.number(), "Other", "hi", Instant.now()).conversationId().toString();
            carol.send("assign_chat", Map.of("conversationId", other, "agentId", "carol"));
            assertEquals(other, carol.next("chat_assigned").path("data").path("conversationId").asText());
            assertEquals("carol", db.string("select assignee_id from conversation where id = $1::uuid", other));
        }
        try (WsClient stranger = WsClient.connect(vertx, base, TestTokens.supervisor(Seeder.tenant(), "boss"))) {
            assertError(stranger, Map.of("conversationId", conversationId, "agentId", "boss"), "not_found");
        }
    }

    private void assertError(WsClient ws, Map<String, Object> data, String code) {
        String id = ws.send("assign_chat", data);
        JsonNode error = ws.next("error");
        assertEquals(id, error.path("requestId").asText());
        assertEquals(code, error.path("data").path("code").asText(), error.toString());
    }

    private static boolean online(JsonNode agents, String user) {
        for (JsonNode agent : agents) {
            if (user.equals(agent.path("agentId").asText())) {
                return agent.path("online").asBoolean();
            }
        }
        return false;
    }

    private String customer() {
        return db.string("select c.wa_id from contact c join conversation v on v.contact_id = c.id where v.id = $1",
                first.conversationId());
    }

}
