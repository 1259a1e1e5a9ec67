package io.wagateway.outbound;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgPool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Tuple;
import io.wagateway.support.AppProcess;
import io.wagateway.support.CloudModeStack;
import io.wagateway.support.FakeGraphApi;
import io.wagateway.support.Webhooks;
import io.wagateway.support.WsClient;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A crash in the middle of a send: the instance that stored the message dies while its Graph API
 * call hangs; a restarted instance sends the message once when the lock expires. Then a graceful
 * shutdown closes the WebSockets with 1001.
 */
class OutboxCrashIT {

    static final String TENANT = "crash";
    static final String PHONE_NUMBER_ID = "pn-crash";
    static final String DISPLAY = "15550004321";

    static CloudModeStack stack;
    static EmbeddedPostgres postgres;
    static Vertx vertx;
    static FakeGraphApi graph;
    static Map<String, String> env;

    @BeforeAll
    static void start() throws Exception {
        stack = CloudModeStack.start(TENANT, PHONE_NUMBER_ID, DISPLAY, Map.of("APP_WHATSAPP_SEND_LOCK", "3s", "APP_WHATSAPP_CALL_TIMEOUT", "60s"));
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
    void pendingSendSurvivesACrashAndIsSentExactlyOnceAfterRestart() throws Exception {
        AppProcess first = AppProcess.start("crash-first", postgres.getPort(), env).awaitReady();
        String customer = "15557778888";
        String messageId;
        try {
            assertEquals(200, first.postWebhook(Webhooks.text(PHONE_NUMBER_ID, DISPLAY, customer, "Cat",
                    Webhooks.wamid(), "hi")));
            graph.enqueue(FakeGraphApi.Reply.hang()); // Meta never answers the first call
            try (WsClient ws = WsClient.connect(vertx, first.base, AppProcess.token(TENANT, "alice"))) {
                messageId = ws.ok("send_message", Map.of("to", customer, "message", "survive me",
                        "clientMessageId", "crash-1")).path("data").path("messageId").asText();
            }
            graph.await("/messages", 1);
        } finally {
            first.kill();
        }
        assertEquals(0, graph.accepted());

        AppProcess second = AppProcess.start("crash-second", postgres.getPort(), env).awaitReady();
        try {
            graph.await("/messages", 2);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            String status = null;
            while (System.nanoTime() < deadline && !"sent".equals(status)) {
                status = query("select status from message where id = $1::uuid", messageId);
                Thread.sleep(100);
            }
            assertEquals("sent", status);
            Thread.sleep(4000); // two more lock periods: nothing else may go out
            assertEquals(1, graph.accepted());
            assertEquals(2, graph.requests("/messages").size());
            assertEquals("0", query("select count(*)::text from outbox", null));
            assertEquals("survive me", graph.requests("/messages").get(1).body().path("text").path("body").asText());

            // a graceful shutdown tells connected clients to go elsewhere
            // and lets a request that started before the SIGTERM finish: a webhook whose body is still
            // arriving 3 s later (past the 2 s shutdown delay) is answered 200, then the process ends cleanly
            byte[] body = Webhooks.entries(List.of()).getBytes(StandardCharsets.UTF_8);
            try (WsClient ws = WsClient.connect(vertx, second.base, AppProcess.token(TENANT, "bob"));
                 Socket slow = new Socket(second.base.getHost(), second.base.getPort())) {
                ws.ok("ping", Map.of());
                OutputStream out = slow.getOutputStream();
                out.write(("POST " + Webhooks.PATH + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        + "X-Hub-Signature-256: " + Webhooks.signature(body) + "\r\nContent-Length: " + body.length
                        + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body, 0, 5);
                out.flush();
                Thread.sleep(200); // the request has reached the service
                long logBefore = Files.size(second.log);
                second.process.destroy();
                assertEquals(1001, ws.awaitClose());
                Thread.sleep(3000);
                out.write(body, 5, body.length - 5);
                out.flush();
                slow.setSoTimeout(10_000);
                String answer = new String(slow.getInputStream().readNBytes(15), StandardCharsets.US_ASCII);
                assertEquals("HTTP/1.1 200 OK", answer);
                assertTrue(second.process.waitFor(15, TimeUnit.SECONDS), "still running 15 s after SIGTERM");
                String shutdownLog = Files.readString(second.log).substring((int) logBefore);
                assertFalse(shutdownLog.contains(" ERROR ") || shutdownLog.contains("Timed out waiting"), shutdownLog);
            }
        } finally {
            second.stop();
        }
    }

    private static String query(String sql, String param) throws Exception {
        PgPool pool = PgPool.pool(vertx, new PgConnectOptions().setPort(postgres.getPort()).setHost("localhost")
                .setDatabase("postgres").setUser("postgres").setPassword("postgres"), new PoolOptions().setMaxSize(1));
        try {
            var rows = (param == null ? pool.query(sql).execute() : pool.preparedQuery(sql).execute(Tuple.of(param)))
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            return rows.size() == 0 ? null : rows.iterator().next().getString(0);
        } finally {
            pool.close();
        }
    }

}
