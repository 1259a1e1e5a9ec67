package io.wagateway.fanout;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.util.KeyUtils;
import io.vertx.core.Vertx;
import io.wagateway.support.AppProcess;
import io.wagateway.support.Webhooks;
import io.wagateway.support.WsClient;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two instances of the packaged application (prod profile, JVM mode) on one PostgreSQL: an event
 * ingested by one reaches the clients of the other, in seq order, once.
 */
class TwoInstancesIT {

    static final String TENANT = "it-" + UUID.randomUUID().toString().substring(0, 8);
    static final String PHONE_NUMBER_ID = "pn-it";
    static final String DISPLAY = "15550001234";

    static EmbeddedPostgres postgres;
    static Vertx vertx;
    static AppProcess a;
    static AppProcess b;

    @BeforeAll
    static void start() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        vertx = Vertx.vertx();
        Map<String, String> env = Map.of("APP_WHATSAPP_TENANT", TENANT, "APP_WHATSAPP_PHONE_NUMBER_ID", PHONE_NUMBER_ID,
                "APP_WHATSAPP_DISPLAY_PHONE_NUMBER", DISPLAY, "APP_WHATSAPP_WABA_ID", "waba-it");
        a = AppProcess.start("two-instances-a", postgres.getPort(), env);
        b = AppProcess.start("two-instances-b", postgres.getPort(), env);
        a.awaitReady();
        b.awaitReady();
    }

    @AfterAll
    static void stop() throws Exception {
        for (AppProcess instance : new AppProcess[] {a, b}) {
            if (instance != null) {
                instance.stop();
            }
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void messageIngestedByOneInstanceReachesAClientOfTheOther() throws Exception {
        try (WsClient onB = WsClient.connect(vertx, b.base, token("bob"))) {
            onB.ok("join_general", Map.of());
            String wamid = Webhooks.wamid();
            assertEquals(200, a.postWebhook(Webhooks.text(PHONE_NUMBER_ID, DISPLAY, "15557770001", "Ivy", wamid, "via a")));
            JsonNode pushed = onB.next("new_message");
            assertEquals(wamid, pushed.path("data").path("waMessageId").asText());
            assertEquals("via a", pushed.path("data").path("content").asText());
        }
        // B read it from the table after A's doorbell: timed as such
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(b.base.resolve("/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("wagateway_push_latency_seconds_count{source=\"table\"}")
                && !l.endsWith(" 0.0")), metrics);
    }

    @Test
    void clientsOnBothInstancesGetEveryEventOnceInSeqOrder() throws Exception {
        try (WsClient onA = WsClient.connect(vertx, a.base, token("ann"));
             WsClient onB = WsClient.connect(vertx, b.base, token("ben"))) {
            onA.ok("join_general", Map.of());
            onB.ok("join_general", Map.of());
            int n = 30;
            for (int i = 0; i < n; i++) {
                AppProcess target = i % 2 == 0 ? a : b;
                assertEquals(200, target.postWebhook(Webhooks.text(PHONE_NUMBER_ID, DISPLAY, "1555777100" + (i % 5),
                        "C", Webhooks.wamid(), "m" + i)));
            }
            for (WsClient client : List.of(onA, onB)) {
                long previous = -1;
                Set<String> seen = new java.util.HashSet<>();
                for (int i = 0; i < 2 * n; i++) {
                    JsonNode frame = client.nextAny();
                    long seq = frame.path("seq").asLong();
                    if (previous >= 0) {
                        assertEquals(previous + 1, seq);
                    }
                    previous = seq;
                    if ("new_message".equals(frame.path("event").asText())) {
                        seen.add(frame.path("data").path("content").asText());
                    }
                }
                assertEquals(n, seen.size());
                client.assertNo("new_message", Duration.ofMillis(300));
            }
        }
    }

    @Test
    void ephemeralStatusUpdateCrossesInstances() throws Exception {
        try (WsClient onB = WsClient.connect(vertx, b.base, token("cy"))) {
            onB.ok("ping", Map.of());
            String body = Webhooks.entries(List.of(Webhooks.entry("waba-it",
                    "{\"field\":\"phone_number_quality_update\",\"value\":{\"display_phone_number\":\"" + DISPLAY
                            + "\",\"event\":\"UNFLAGGED\"}}")));
            assertEquals(200, a.postWebhook(body));
            assertEquals("GREEN", onB.next("whatsapp_status_update").path("data").path("qualityRating").asText());
        }
    }

    /**
     * The race of the fan-out issue: a user connects on A, then on B, and the A connection closes right
     * after B's upgrade was answered. The user is still connected (on B): no replica may announce them
     * offline, neither at once nor when A's offline grace period ends, and get_agents says online.
     */
    @Test
    void aUserStillConnectedOnTheOtherInstanceIsNeverAnnouncedOffline() throws Exception {
        List<String> users = List.of("race-1", "race-2", "race-3", "race-4", "race-5");
        try (WsClient observer = WsClient.connect(vertx, a.base, token("race-observer"))) {
            observer.ok("ping", Map.of());
            List<WsClient> onB = new ArrayList<>();
            try {
                List<WsClient> onA = new ArrayList<>();
                for (String user : users) {
                    onA.add(WsClient.connect(vertx, a.base, token(user)));
                }
                for (String user : users) {
                    onB.add(WsClient.connect(vertx, b.base, token(user))); // returns once the upgrade is answered
                }
                onA.forEach(WsClient::close);
                // past A's offline grace period (3 s) and a presence interval
                long deadline = System.nanoTime() + Duration.ofSeconds(6).toNanos();
                while (System.nanoTime() < deadline) {
                    JsonNode frame = observer.nextPresenceOrNull(Duration.ofNanos(deadline - System.nanoTime()));
                    if (frame == null) {
                        break;
                    }
                    List<String> offline = new ArrayList<>();
                    if ("user_offline".equals(frame.path("event").asText())) {
                        offline.add(frame.path("data").path("userId").asText());
                    }
                    frame.path("data").path("offline").forEach(id -> offline.add(id.asText()));
                    offline.retainAll(users);
                    assertTrue(offline.isEmpty(), "announced offline while connected on B: " + frame);
                }
                JsonNode agents = observer.ok("get_agents", Map.of());
                Set<String> online = new java.util.HashSet<>();
                agents.path("data").forEach(agent -> {
                    if (agent.path("online").asBoolean()) {
                        online.add(agent.path("agentId").asText());
                    }
                });
                assertTrue(online.containsAll(users), "get_agents: " + agents);
            } finally {
                onB.forEach(WsClient::close);
            }
        }
    }

    static String token(String user) throws Exception {
        return AppProcess.token(TENANT, user);
    }
}
