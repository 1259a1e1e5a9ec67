package io.wagateway.collaboration;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import io.wagateway.support.AppProcess;
import io.wagateway.support.Webhooks;
import io.wagateway.support.WsClient;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Presence and typing across two packaged replicas, and a replica that dies. */
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class CollaborationIT {

    static final String PHONE_NUMBER_ID = "pn-collab";
    static final String DISPLAY = "15550006666";

    static EmbeddedPostgres postgres;
    static Vertx vertx;
    static Map<String, String> env;
    static AppProcess a;
    static AppProcess b;
    final String tenant = "collab-" + UUID.randomUUID().toString().substring(0, 6);

    @BeforeAll
    static void start() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        vertx = Vertx.vertx();
        env = Map.of("APP_WHATSAPP_TENANT", "collab", "APP_WHATSAPP_PHONE_NUMBER_ID", PHONE_NUMBER_ID,
                "APP_WHATSAPP_DISPLAY_PHONE_NUMBER", DISPLAY, "APP_PRESENCE_HEARTBEAT", "1s",
                "APP_PRESENCE_EXPIRY", "3s");
        a = AppProcess.start("collab-a", postgres.getPort(), env);
        b = AppProcess.start("collab-b", postgres.getPort(), env);
        a.awaitReady();
        b.awaitReady();
    }

    @AfterAll
    static void stop() throws Exception {
        for (AppProcess p : new AppProcess[] {a, b}) {
            if (p != null) {
                p.stop();
            }
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void presenceFlipsExactlyOnceAcrossTwoReplicas() throws Exception {
        try (WsClient observer = connect(b, "obs")) {
            observer.ok("ping", Map.of());
            WsClient onA = connect(a, "alice");
            assertEquals("alice", nextPresence(observer, "user_online"));
            WsClient onB = connect(b, "alice");
            onB.ok("ping", Map.of());
            observer.assertNo("user_online", Duration.ofMillis(500));
            onA.close();
            observer.assertNo("user_offline", Duration.ofMillis(500));
            onB.close();
            assertEquals("alice", nextPresence(observer, "user_offline"));
            observer.assertNo("user_offline", Duration.ofMillis(300));
        }
    }

    /**
     * The race of a tab moving between replicas: the connection on B opens, the one on A closes at
     * once. Also a reload: the last connection closes and the same user is back within a moment.
     * Neither is announced offline (the grace period, 3 s by default, covers both).
     */
    @Test
    void aUserMovingToAnotherReplicaOrReloadingNeverFlickersOffline() throws Exception {
        try (WsClient observer = connect(b, "obs")) {
            observer.ok("ping", Map.of());
            WsClient onA = connect(a, "erin");
            assertEquals("erin", nextPresence(observer, "user_online"));
            WsClient onB = connect(b, "erin");
            onA.close();
            observer.assertNo("user_offline", Duration.ofSeconds(4));
            onB.close();
            WsClient reloaded = connect(a, "erin");
            observer.assertNo("user_offline", Duration.ofSeconds(4));
            observer.assertNo("user_online", Duration.ofMillis(200));
            reloaded.close();
            assertEquals("erin", nextPresence(observer, "user_offline"));
        }
    }

    @Test
    void typingCrossesReplicas() throws Exception {
        String conversationId;
        assertEquals(200, a.postWebhook(Webhooks.text(PHONE_NUMBER_ID, DISPLAY, "15551112222", "Tia",
                Webhooks.wamid(), "hello")));
        try (WsClient bob = connect(b, "bob", "collab"); WsClient alice = connect(a, "alice", "collab")) {
            conversationId = bob.ok("get_conversations", Map.of()).path("data").get(0).path("id").asText();
            bob.ok("join_conversation", Map.of("conversationId", conversationId));
            alice.ok("join_conversation", Map.of("conversationId", conversationId));
            alice.send("typing_start", Map.of("conversationId", conversationId));
            JsonNode typing = bob.next("user_typing");
            assertEquals("alice", typing.path("data").path("userId").asText());
            alice.send("typing_stop", Map.of("conversationId", conversationId));
            assertEquals("alice", bob.next("user_stop_typing").path("data").path("userId").asText());
            alice.assertNo("user_typing", Duration.ofMillis(200));
        }
    }

    /** Runs last: it kills replica a. */
    @Test
    @org.junit.jupiter.api.Order(Integer.MAX_VALUE)
    void usersOfAKilledReplicaGoOfflineWithinTheExpiry() throws Exception {
        try (WsClient observer = connect(b, "watcher")) {
            observer.ok("ping", Map.of());
            WsClient doomed = connect(a, "dora");
            assertEquals("dora", nextPresence(observer, "user_online"));
            long killedAt = System.nanoTime();
            a.kill();
            assertEquals("dora", nextPresence(observer, "user_offline"));
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - killedAt);
            assertTrue(seconds <= 6, "offline after " + seconds + " s");
            doomed.close();
            a = AppProcess.start("collab-a2", postgres.getPort(), env).awaitReady();
        }
    }

    /** The next presence event about someone other than the observers themselves. */
    private static String nextPresence(WsClient ws, String event) {
        while (true) {
            String user = ws.next(event).path("data").path("userId").asText();
            if (!user.equals("obs") && !user.equals("watcher")) {
                return user;
            }
        }
    }

    private WsClient connect(AppProcess app, String user) throws Exception {
        return connect(app, user, tenant);
    }

    private static WsClient connect(AppProcess app, String user, String tenant) throws Exception {
        return WsClient.connect(vertx, app.base, AppProcess.token(tenant, user));
    }
}
