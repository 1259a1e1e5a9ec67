package io.wagateway.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import io.wagateway.support.AppProcess;
import io.wagateway.support.CloudModeStack;
import io.wagateway.support.CuttableProxy;
import io.wagateway.support.FakeGraphApi;
import io.wagateway.support.Webhooks;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.wagateway.client.NodeClient.state;
import static io.wagateway.client.NodeClient.type;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The built client library ({@code dist/index.js} on Node with the {@code ws} package) against the
 * packaged service behind a TCP proxy that the test cuts: messages that arrive while the client is
 * away reach it after the reconnect exactly once and in order, a send made while cut is sent once,
 * and a graceful restart (SIGTERM, 1001) and a crash (SIGKILL) are survived the same way.
 */
class ClientLibraryIT {

    static final String TENANT = "client-it";
    static final String PHONE_NUMBER_ID = "pn-client";
    static final String DISPLAY = "15550006666";
    static final String CUSTOMER = "15557776666";
    static final Duration WAIT = Duration.ofSeconds(60);

    static CloudModeStack stack;
    static EmbeddedPostgres postgres;
    static Vertx vertx;
    static FakeGraphApi graph;
    static Map<String, String> env;

    @BeforeAll
    static void start() throws Exception {
        stack = CloudModeStack.start(TENANT, PHONE_NUMBER_ID, DISPLAY, Map.of());
        postgres = stack.postgres();
        vertx = stack.vertx();
        graph = stack.graph();
        env = stack.env();
    }

    @AfterAll
    static void stop() throws Exception {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void reconnectsAndResumesThroughCutsARestartAndACrashWithoutLosingOrRepeating() throws Exception {
        AppProcess app = AppProcess.start("client-a", postgres.getPort(), env).awaitReady();
        servesTheBundleAndLeavesOtherPathsAlone(app);
        Path log = Path.of("target", "it-client-node.log").toAbsolutePath();
        Path storage = Path.of("target", "it-client-storage.json").toAbsolutePath();
        Files.deleteIfExists(log);
        Files.deleteIfExists(storage);
        List<String> expected = new ArrayList<>();
        try (CuttableProxy proxy = new CuttableProxy(app.base.getPort());
             NodeClient client = new NodeClient("ws://127.0.0.1:" + proxy.port() + "/ws",
                     AppProcess.token(TENANT, "alice"), log, storage)) {
            client.await(0, state("open"), WAIT, "open");
            int joined = client.command("joinGeneral", Map.of());
            client.await(0, n -> type("ok").test(n) && n.path("id").asInt() == joined, WAIT, "general joined");

            // one message live: the client now has a lastSeq (and the customer's window is open)
            inbound(app, "m0", expected);
            client.await(0, inboundMessage("m0"), WAIT, "m0");

            // 1. the network goes away; messages arrive and a send is made meanwhile
            int mark = client.lines().size();
            proxy.cut();
            client.await(mark, state("reconnecting"), WAIT, "reconnecting after the cut");
            for (int i = 1; i <= 5; i++) {
                inbound(app, "m" + i, expected);
            }
            int send1 = client.command("send", Map.of("to", CUSTOMER, "message", "sent while cut"));
            String id1 = queued(client, mark, send1);
            Thread.sleep(500); // long enough for an accepted that must not come while offline
            assertTrue(client.lines().stream().noneMatch(n -> type("accepted").test(n) && n.path("id").asInt() == send1),
                    "accepted while offline");
            proxy.restore();
            client.await(mark, type("resumed"), WAIT, "resumed after the cut");
            client.await(mark, n -> type("settled").test(n) && n.path("id").asInt() == send1, WAIT, "send settled");
            awaitInbound(client, expected);

            // 2. a graceful restart: 1001, then the service is away for a while
            mark = client.lines().size();
            AppProcess stopping = app;
            CompletableFuture<Void> stopped = CompletableFuture.runAsync(() -> {
                try {
                    stopping.stop();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            client.await(mark, n -> type("close").test(n) && n.path("code").asInt() == 1001, WAIT, "close 1001");
            proxy.cut();
            stopped.get(60, TimeUnit.SECONDS);
            app = AppProcess.start("client-b", postgres.getPort(), env).awaitReady();
            proxy.target(app.base.getPort());
            for (int i = 6; i <= 8; i++) {
                inbound(app, "m" + i, expected);
            }
            proxy.restore();
            client.await(mark, type("resumed"), WAIT, "resumed after the restart");
            awaitInbound(client, expected);

            // 3. a crash: no close frame at all; a send is made while the service is down
            mark = client.lines().size();
            app.kill();
            proxy.cut();
            client.await(mark, state("reconnecting"), WAIT, "reconnecting after the crash");
            int send2 = client.command("send", Map.of("to", CUSTOMER, "message", "sent while crashed"));
            String id2 = queued(client, mark, send2);
            app = AppProcess.start("client-c", postgres.getPort(), env).awaitReady();
            proxy.target(app.base.getPort());
            for (int i = 9; i <= 11; i++) {
                inbound(app, "m" + i, expected);
            }
            proxy.restore();
            client.await(mark, type("resumed"), WAIT, "resumed after the crash");
            client.await(mark, n -> type("accepted").test(n) && n.path("id").asInt() == send2, WAIT, "send accepted");
            awaitInbound(client, expected);

            assertTrue(client.lines().stream().noneMatch(type("reload")), "no reload: every resume recovered");

            // 4. the page reloads while a send is queued and a message arrives: the new page (same
            // storage) sends it once and resumes from the old page's lastSeq
            mark = client.lines().size();
            proxy.cut();
            client.await(mark, state("reconnecting"), WAIT, "reconnecting before the reload");
            int send3 = client.command("send", Map.of("to", CUSTOMER, "message", "sent before the reload"));
            String id3 = queued(client, mark, send3);
            client.kill();
            inbound(app, "m12", expected);
            proxy.restore();
            try (NodeClient reloaded = new NodeClient("ws://127.0.0.1:" + proxy.port() + "/ws",
                    AppProcess.token(TENANT, "alice"), log, storage)) {
                reloaded.await(0, state("open"), WAIT, "the reloaded page open");
                reloaded.command("joinGeneral", Map.of());
                reloaded.await(0, type("resumed"), WAIT, "the reloaded page resumed");
                reloaded.await(0, inboundMessage("m12"), WAIT, "m12 on the reloaded page");
                reloaded.await(0, n -> type("message").test(n) && id3.equals(n.path("clientMessageId").asText()), WAIT,
                        "the queued send, stored");
                assertEquals(List.of("m12"), reloaded.lines().stream().filter(type("message"))
                        .filter(n -> "inbound".equals(n.path("direction").asText()))
                        .map(n -> n.path("content").asText()).toList(), "only what the old page missed");
            }

            // each send: one stored message with its clientMessageId, one Graph API call
            String[][] sends = {{id1, "sent while cut"}, {id2, "sent while crashed"}, {id3, "sent before the reload"}};
            for (String[] send : sends) {
                assertEquals(1, count("select count(*) from message where client_message_id = ?", send[0]), send[1]);
                awaitGraphCalls(send[1]);
            }
            Thread.sleep(1500); // an outbox poll or two later: still one call each
            for (String[] send : sends) {
                assertEquals(1, graphCalls(send[1]), send[1]);
            }
        } finally {
            app.stop();
        }
    }

    private static void servesTheBundleAndLeavesOtherPathsAlone(AppProcess app) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> bundle = http.send(HttpRequest.newBuilder(app.base.resolve("/client/wagateway-client.js")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, bundle.statusCode());
        assertTrue(bundle.headers().firstValue("content-type").orElse("").contains("javascript"), bundle.headers().toString());
        assertTrue(bundle.body().contains("GatewayClient"), "the bundle exports GatewayClient");
        // the inbox page answers its own paths (SPA routing); the API and the bundle's folder do not
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(app.base.resolve("/no/such/page")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("<div id=\"root\">"), page.body());
        for (String path : List.of("/api/no/such", "/client/no-such.js", "/webhooks/no/such")) {
            assertEquals(404, http.send(HttpRequest.newBuilder(app.base.resolve(path)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode(), path);
        }
        assertEquals(200, http.send(HttpRequest.newBuilder(app.base.resolve("/q/health/ready")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode());
    }

    private static String queued(NodeClient client, int from, int id) throws Exception {
        int at = client.await(from, n -> type("queued").test(n) && n.path("id").asInt() == id, WAIT, "queued " + id);
        return client.lines().get(at).path("clientMessageId").asText();
    }

    private static void inbound(AppProcess app, String text, List<String> expected) throws Exception {
        assertEquals(200, app.postWebhook(Webhooks.text(PHONE_NUMBER_ID, DISPLAY, CUSTOMER, "Cleo", Webhooks.wamid(), text)));
        expected.add(text);
    }

    private static java.util.function.Predicate<JsonNode> inboundMessage(String text) {
        return n -> type("message").test(n) && "inbound".equals(n.path("direction").asText())
                && text.equals(n.path("content").asText());
    }

    /** Waits for the last expected message, then checks the whole history: each once, in order, seq rising. */
    private static void awaitInbound(NodeClient client, List<String> expected) throws Exception {
        client.await(0, inboundMessage(expected.get(expected.size() - 1)), WAIT, expected.get(expected.size() - 1));
        List<JsonNode> messages = client.lines().stream().filter(type("message")).toList();
        List<String> inbound = messages.stream().filter(n -> "inbound".equals(n.path("direction").asText()))
                .map(n -> n.path("content").asText()).toList();
        assertEquals(expected, inbound, "inbound messages exactly once, in order");
        long previous = -1;
        for (JsonNode m : messages) {
            assertTrue(m.path("seq").asLong() > previous, "seq order: " + messages);
            previous = m.path("seq").asLong();
        }
    }

    private static long graphCalls(String text) {
        return graph.requests("/messages").stream()
                .filter(r -> text.equals(r.body().path("text").path("body").asText())).count();
    }

    private static void awaitGraphCalls(String text) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (graphCalls(text) == 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(1, graphCalls(text), text);
    }

    private static long count(String sql, String param) throws Exception {
        try (Connection c = postgres.getPostgresDatabase().getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, param);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }
}
