package io.wagateway.fanout;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.wagateway.support.Seeder;
import io.wagateway.support.Tenants;
import io.wagateway.support.TestTenant;
import io.wagateway.support.Webhooks;
import io.wagateway.support.WsClient;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Durable events: in order, exactly once, across reconnects (resume) and concurrent webhooks. */
@QuarkusTest
class ResumeAndFanoutTest {

    @TestHTTPResource("/")
    URI base;

    @Inject
    Tenants tenants;

    @Inject
    EventRetention retention;

    private TestTenant tenant;

    @BeforeEach
    void seed() {
        tenant = tenants.fresh(base);
    }

    @Test
    void resumeReplaysExactlyTheMissedEventsInOrder() {
        long lastSeq;
        String customer = Seeder.number();
        try (WsClient ws = tenant.agent("alice")) {
            ws.ok("join_general", Map.of());
            inbound(customer, "before");
            lastSeq = ws.next("conversation_updated").path("seq").asLong();
        }
        for (int i = 0; i < 3; i++) {
            inbound(i == 1 ? Seeder.number() : customer, "missed " + i);
        }
        try (WsClient ws = tenant.agent("alice")) {
            ws.ok("join_general", Map.of());
            String id = ws.send("resume", Map.of("lastSeq", lastSeq));
            List<JsonNode> replayed = new ArrayList<>();
            JsonNode frame;
            while (!"resumed".equals((frame = ws.nextAny()).path("event").asText())) {
                replayed.add(frame);
            }
            assertEquals(id, frame.path("requestId").asText());
            JsonNode resumed = frame.path("data").path("data");
            assertTrue(resumed.path("recovered").asBoolean());
            assertEquals(6, resumed.path("replayed").asInt());
            assertEquals(lastSeq + 6, resumed.path("lastSeq").asLong());
            assertEquals(6, replayed.size());
            for (int i = 0; i < replayed.size(); i++) {
                assertEquals(lastSeq + 1 + i, replayed.get(i).path("seq").asLong());
            }
            assertEquals(List.of("missed 0", "missed 1", "missed 2"), replayed.stream()
                    .filter(f -> "new_message".equals(f.path("event").asText()))
                    .map(f -> f.path("data").path("content").asText()).toList());
            // and live delivery goes on after the replay, without repeating anything
            inbound(customer, "live");
            JsonNode live = ws.next("new_message");
            assertEquals("live", live.path("data").path("content").asText());
            assertEquals(lastSeq + 7, live.path("seq").asLong());
        }
    }

    @Test
    void resumeReplaysOnlyWhatTheConnectionsRoomsEntitleItTo() {
        String mine = Seeder.number();
        String conversationId = inbound(mine, "first").path("conversationId").asText();
        long lastSeq;
        try (WsClient ws = tenant.agent("bob")) {
            ws.ok("join_conversation", Map.of("conversationId", conversationId));
            inbound(mine, "second");
            lastSeq = ws.next("conversation_updated").path("seq").asLong();
        }
        inbound(Seeder.number(), "someone else's"); // neither its new_message nor its conversation_updated is for bob
        inbound(mine, "third");
        try (WsClient ws = tenant.agent("bob")) {
            ws.ok("join_conversation", Map.of("conversationId", conversationId));
            ws.send("resume", Map.of("lastSeq", lastSeq));
            List<String> events = new ArrayList<>();
            JsonNode frame;
            while (!"resumed".equals((frame = ws.nextAny()).path("event").asText())) {
                events.add(frame.path("event").asText() + ":" + frame.path("data").path("content").asText(""));
            }
            assertEquals(List.of("new_message:third", "conversation_updated:"), events);
            assertEquals(2, frame.path("data").path("data").path("replayed").asInt());
        }
    }

    @Test
    void liveEventsDuringAReplayAreNeitherLostNorRepeated() throws Exception {
        String customer = Seeder.number();
        long lastSeq;
        try (WsClient ws = tenant.agent("carol")) {
            ws.ok("join_general", Map.of());
            inbound(customer, "start");
            lastSeq = ws.next("conversation_updated").path("seq").asLong();
        }
        for (int i = 0; i < 40; i++) {
            inbound(customer, "gap " + i);
        }
        ExecutorService writers = Executors.newFixedThreadPool(4);
        try (WsClient ws = tenant.agent("carol")) {
            ws.ok("join_general", Map.of());
            List<CompletableFuture<Void>> live = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                int n = i;
                live.add(CompletableFuture.runAsync(() -> inbound(customer, "during " + n), writers));
            }
            ws.send("resume", Map.of("lastSeq", lastSeq));
            CompletableFuture.allOf(live.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            long expectedLast = lastSeq + 2 * 60;
            // live events may reach the connection before its resume does (then they come first);
            // either way every seq arrives exactly once
            List<Long> seqs = new ArrayList<>();
            boolean resumed = false;
            while (!resumed || seqs.size() < expectedLast - lastSeq) {
                JsonNode frame = ws.nextAny();
                if ("resumed".equals(frame.path("event").asText())) {
                    resumed = true;
                    continue;
                }
                seqs.add(frame.path("seq").asLong());
            }
            List<Long> expected = new ArrayList<>();
            for (long s = lastSeq + 1; s <= expectedLast; s++) {
                expected.add(s);
            }
            assertEquals(expected, seqs.stream().sorted().toList());
            ws.assertNo("new_message", Duration.ofMillis(300));
        } finally {
            writers.shutdownNow();
        }
    }

    /** A reconnected client joins its rooms, gets live events, then resumes: the gap still arrives. */
    @Test
    void liveEventsThatArriveBeforeTheResumeDoNotHideTheGap() {
        String customer = Seeder.number();
        long lastSeq;
        try (WsClient ws = tenant.agent("dave")) {
            ws.ok("join_general", Map.of());
            inbound(customer, "start");
            lastSeq = ws.next("conversation_updated").path("seq").asLong();
        }
        for (int i = 0; i < 5; i++) {
            inbound(customer, "missed " + i);
        }
        try (WsClient ws = tenant.agent("dave")) {
            ws.ok("join_general", Map.of());
            inbound(customer, "live");
            long live = ws.next("new_message").path("seq").asLong();
            ws.next("conversation_updated");
            assertEquals(lastSeq + 11, live);
            JsonNode answer = ws.request("resume", Map.of("lastSeq", lastSeq)).path("data");
            assertTrue(answer.path("success").asBoolean(), answer.toString());
            assertTrue(answer.path("data").path("recovered").asBoolean());
            assertEquals(10, answer.path("data").path("replayed").asInt());
            List<Long> replayed = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                replayed.add(ws.nextAny().path("seq").asLong());
            }
            List<Long> expected = new ArrayList<>();
            for (long s = lastSeq + 1; s <= lastSeq + 10; s++) {
                expected.add(s);
            }
            assertEquals(expected, replayed);
            ws.assertNo("new_message", Duration.ofMillis(300)); // the live ones are not sent again
        }
    }

    @Test
    void resumeFromBeforeTheRetainedHistoryIsNotRecovered() throws Throwable {
        inbound(Seeder.number(), "old");
        VertxContextSupport.subscribeAndAwait(() -> retention.trim(Duration.ZERO));
        try (WsClient ws = tenant.agent("dan")) {
            ws.ok("join_general", Map.of());
            JsonNode resumed = ws.ok("resume", Map.of("lastSeq", 0)).path("data");
            assertFalse(resumed.path("recovered").asBoolean(true));
            assertEquals(0, resumed.path("replayed").asInt());
            assertEquals(2, resumed.path("lastSeq").asLong());
            // live delivery still works afterwards
            inbound(Seeder.number(), "new");
            assertEquals(3, ws.next("new_message").path("seq").asLong());
        }
    }

    @Test
    void resumeWithNothingMissedRecoversNothing() {
        try (WsClient ws = tenant.agent("erin")) {
            ws.ok("join_general", Map.of());
            inbound(Seeder.number(), "x");
            long seq = ws.next("conversation_updated").path("seq").asLong();
            JsonNode resumed = ws.ok("resume", Map.of("lastSeq", seq)).path("data");
            assertTrue(resumed.path("recovered").asBoolean());
            assertEquals(0, resumed.path("replayed").asInt());
            JsonNode bad = ws.request("resume", Map.of("lastSeq", -1));
            assertEquals("bad_request", bad.path("data").path("code").asText());
        }
    }

    @Test
    void hundredConcurrentWebhooksReachEveryClientOnceInSeqOrder() throws Exception {
        int webhooks = 100;
        List<String> customers = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            customers.add(Seeder.number());
        }
        List<WsClient> clients = List.of(tenant.agent("a1"), tenant.agent("a2"), tenant.agent("a3"));
        ExecutorService posters = Executors.newFixedThreadPool(16);
        try {
            clients.forEach(c -> c.ok("join_general", Map.of()));
            List<CompletableFuture<Integer>> posts = new ArrayList<>();
            for (int i = 0; i < webhooks; i++) {
                String body = Webhooks.text(tenant.number().phoneNumberId, tenant.number().displayPhoneNumber,
                        customers.get(i % customers.size()), "C", Webhooks.wamid(), "m" + i);
                posts.add(CompletableFuture.supplyAsync(() -> Webhooks.post(body).statusCode(), posters));
            }
            for (var post : posts) {
                assertEquals(200, post.get(60, TimeUnit.SECONDS));
            }
            for (WsClient client : clients) {
                Set<String> contents = new HashSet<>();
                long previous = 0;
                for (int i = 0; i < 2 * webhooks; i++) {
                    JsonNode frame = client.nextAny();
                    long seq = frame.path("seq").asLong();
                    assertEquals(previous + 1, seq, "seq must be gapless and increasing");
                    previous = seq;
                    if ("new_message".equals(frame.path("event").asText())) {
                        assertTrue(contents.add(frame.path("data").path("content").asText()), "duplicate");
                    }
                }
                assertEquals(webhooks, contents.size());
                client.assertNo("new_message", Duration.ofMillis(200));
            }
        } finally {
            posters.shutdownNow();
            clients.forEach(WsClient::close);
        }
    }

    /**
     * PROTOCOL.md 6.2: join and get_* answers carry the tenant's newest seq, from which a fresh page
     * resumes: it then gets exactly what came after its first answer, however little it saw live.
     */
    @Test
    void aFreshPageResumesFromTheLastSeqOfItsFirstJoinAnswer() {
        String customer = Seeder.number();
        String conversationId = inbound(customer, "before the page").path("conversationId").asText();
        long fromJoin;
        try (WsClient page = tenant.agent("bob")) {
            fromJoin = page.ok("join_general", Map.of()).path("data").path("lastSeq").asLong(-1);
            assertEquals(2, fromJoin, "the tenant's events so far: new_message and conversation_updated");
            JsonNode joined = page.ok("join_conversation", Map.of("conversationId", conversationId)).path("data");
            assertEquals(fromJoin, joined.path("lastSeq").asLong(-1));
            JsonNode conversations = page.ok("get_conversations", Map.of());
            assertEquals(fromJoin, conversations.path("lastSeq").asLong(-1), "beside success, like nextCursor");
            assertTrue(page.ok("leave_conversation", Map.of("conversationId", conversationId)).path("data")
                    .path("lastSeq").isMissingNode(), "a leave has no lastSeq");
        }
        inbound(customer, "while the page was away");
        try (WsClient again = tenant.agent("bob")) {
            again.ok("join_general", Map.of());
            again.send("resume", Map.of("lastSeq", fromJoin));
            List<String> replayed = new ArrayList<>();
            JsonNode frame;
            while (!"resumed".equals((frame = again.nextAny()).path("event").asText())) {
                replayed.add(frame.path("event").asText() + ":" + frame.path("seq").asLong());
            }
            assertEquals(List.of("new_message:3", "conversation_updated:4"), replayed);
            assertTrue(frame.path("data").path("data").path("recovered").asBoolean());
        }
    }

    private JsonNode inbound(String from, String text) {
        var result = tenant.inbound(from, "N", text, Instant.now());
        return new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode()
                .put("conversationId", result.conversationId().toString());
    }

}
