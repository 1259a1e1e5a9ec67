package io.wagateway.fanout;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.util.KeyUtils;
import io.vertx.core.Vertx;
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
    static Instance a;
    static Instance b;

    @BeforeAll
    static void start() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        vertx = Vertx.vertx();
        a = Instance.start("a", postgres.getPort());
        b = Instance.start("b", postgres.getPort());
        a.awaitReady();
        b.awaitReady();
    }

    @AfterAll
    static void stop() throws Exception {
        for (Instance instance : new Instance[] {a, b}) {
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
    }

    @Test
    void clientsOnBothInstancesGetEveryEventOnceInSeqOrder() throws Exception {
        try (WsClient onA = WsClient.connect(vertx, a.base, token("ann"));
             WsClient onB = WsClient.connect(vertx, b.base, token("ben"))) {
            onA.ok("join_general", Map.of());
            onB.ok("join_general", Map.of());
            int n = 30;
            for (int i = 0; i < n; i++) {
                Instance target = i % 2 == 0 ? a : b;
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

    static String token(String user) throws Exception {
        PrivateKey key = KeyUtils.readPrivateKey("dev-keys/jwt-private.pem");
        return Jwt.issuer("https://wa-gateway.dev/issuer").subject(user).groups(Set.of("agent"))
                .claim("tenant", TENANT).expiresAt(Instant.now().plusSeconds(600)).sign(key);
    }

    /** One application process. */
    static final class Instance {
        final Process process;
        final URI base;
        final Path log;

        private Instance(Process process, URI base, Path log) {
            this.process = process;
            this.base = base;
            this.log = log;
        }

        static Instance start(String name, int dbPort) throws IOException {
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar").toAbsolutePath();
            Path log = Path.of("target", "it-instance-" + name + ".log").toAbsolutePath();
            String java = ProcessHandle.current().info().command().orElse("java");
            ProcessBuilder builder = new ProcessBuilder(java, "-Xmx256m", "-jar", jar.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            Map<String, String> env = new HashMap<>(Map.of(
                    "QUARKUS_HTTP_PORT", String.valueOf(port),
                    "QUARKUS_DATASOURCE_REACTIVE_URL", "postgresql://localhost:" + dbPort + "/postgres",
                    "QUARKUS_DATASOURCE_USERNAME", "postgres",
                    "QUARKUS_DATASOURCE_PASSWORD", "postgres",
                    "MP_JWT_VERIFY_PUBLICKEY_LOCATION",
                    Path.of("src", "main", "resources", "dev-keys", "jwt-public.pem").toAbsolutePath().toString(),
                    "MP_JWT_VERIFY_ISSUER", "https://wa-gateway.dev/issuer",
                    "APP_WHATSAPP_APP_SECRET", Webhooks.SECRET,
                    "APP_WHATSAPP_TENANT", TENANT,
                    "APP_WHATSAPP_PHONE_NUMBER_ID", PHONE_NUMBER_ID));
            env.put("APP_WHATSAPP_DISPLAY_PHONE_NUMBER", DISPLAY);
            env.put("APP_WHATSAPP_WABA_ID", "waba-it");
            builder.environment().putAll(env);
            return new Instance(builder.start(), URI.create("http://localhost:" + port + "/"), log);
        }

        void awaitReady() throws Exception {
            HttpClient http = HttpClient.newHttpClient();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new AssertionError("instance exited: " + Files.readString(log));
                }
                try {
                    var response = http.send(HttpRequest.newBuilder(base.resolve("/q/health/ready")).build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() == 200) {
                        return;
                    }
                } catch (IOException notYet) {
                    // still starting
                }
                Thread.sleep(200);
            }
            throw new AssertionError("instance not ready within 60 s: " + Files.readString(log));
        }

        int postWebhook(String body) throws Exception {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(base.resolve(Webhooks.PATH))
                            .header("X-Hub-Signature-256", Webhooks.signature(bytes))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        }

        void stop() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
