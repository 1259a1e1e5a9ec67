package io.wagateway.media;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import io.wagateway.support.AppProcess;
import io.wagateway.support.FakeGraphApi;
import io.wagateway.support.Webhooks;
import io.wagateway.support.WsClient;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Two instances of the packaged application (prod profile, cloud mode against a {@link FakeGraphApi})
 * on one PostgreSQL: a download that instance A started and then lost (A is killed mid-download) is
 * taken over by B once A's lock expired, and the media is served by B with the URL A signed.
 */
class MediaTwoInstancesIT {

    static final String TENANT = "media-it-" + UUID.randomUUID().toString().substring(0, 8);
    static final String PHONE_NUMBER_ID = "pn-media-it";
    static final String DISPLAY = "15550004321";

    static EmbeddedPostgres postgres;
    static Vertx vertx;
    static FakeGraphApi graph;
    static AppProcess a;
    static AppProcess b;

    @BeforeAll
    static void start() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        vertx = Vertx.vertx();
        graph = new FakeGraphApi(vertx);
        int port = graph.start();
        Map<String, String> common = Map.of("APP_WHATSAPP_TENANT", TENANT, "APP_WHATSAPP_PHONE_NUMBER_ID", PHONE_NUMBER_ID,
                "APP_WHATSAPP_DISPLAY_PHONE_NUMBER", DISPLAY, "APP_WHATSAPP_WABA_ID", "waba-media-it",
                "APP_WHATSAPP_ACCESS_TOKEN", "it-access-token", "APP_WHATSAPP_API_URL", "http://127.0.0.1:" + port,
                "APP_MEDIA_URL_SECRET", "a-secret-both-replicas-share-0123456789",
                "APP_MEDIA_DOWNLOAD_LOCK", "3s", "APP_MEDIA_POLL_INTERVAL", "500ms");
        a = AppProcess.start("media-a", postgres.getPort(), with(common, "APP_MEDIA_USER_AGENT", "gateway-a"));
        a.awaitReady();
        b = AppProcess.start("media-b", postgres.getPort(), with(common, "APP_MEDIA_USER_AGENT", "gateway-b"));
        b.awaitReady();
    }

    private static Map<String, String> with(Map<String, String> env, String key, String value) {
        Map<String, String> all = new java.util.HashMap<>(env);
        all.put(key, value);
        return all;
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
    void aDownloadStartedOnOneInstanceIsFinishedAndServedByTheOther() throws Exception {
        byte[] bytes = new byte[700_000];
        new Random(7).nextBytes(bytes);
        String metaId = "meta-it-" + UUID.randomUUID();
        graph.hostMedia(metaId, bytes, "video/mp4", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(bytes)));
        graph.hold(metaId);
        try (WsClient onB = WsClient.connect(vertx, b.base, AppProcess.token(TENANT, "bob"))) {
            onB.ok("join_general", Map.of());
            String from = "15557770042";
            String message = "{\"from\":\"" + from + "\",\"id\":\"" + Webhooks.wamid() + "\",\"timestamp\":\""
                    + Instant.now().getEpochSecond() + "\",\"type\":\"video\",\"video\":{\"id\":\"" + metaId
                    + "\",\"mime_type\":\"video/mp4\"}}";
            assertEquals(200, a.postWebhook(Webhooks.delivery(Webhooks.change(PHONE_NUMBER_ID, DISPLAY,
                    "\"contacts\":[{\"profile\":{\"name\":\"Vi\"},\"wa_id\":\"" + from + "\"}],\"messages\":["
                            + message + "]"))));
            JsonNode pushed = onB.next("new_message").path("data").path("media");
            assertEquals("pending", pushed.path("status").asText());

            // A took the download (it starts on the committing instance at once); A dies in the middle of it
            FakeGraphApi.Request first = graph.await("/lookaside/" + metaId, 1).get(0);
            assertEquals("gateway-a", first.headers().get("User-Agent"));
            assertEquals(503, get(b.base, pushed.path("url").asText()).statusCode());
            a.kill();
            graph.release(metaId);

            JsonNode updated = onB.next("message_updated").path("data").path("media");
            assertEquals("available", updated.path("status").asText(), updated.toString());
            List<FakeGraphApi.Request> downloads = graph.requests("/lookaside/" + metaId);
            assertEquals("gateway-b", downloads.get(downloads.size() - 1).headers().get("User-Agent"));
            // the URL A signed in the first push is good on B (one secret), and so is the fresh one
            HttpResponse<byte[]> viaOldUrl = get(b.base, pushed.path("url").asText());
            assertEquals(200, viaOldUrl.statusCode());
            assertArrayEquals(bytes, viaOldUrl.body());
            assertArrayEquals(bytes, get(b.base, updated.path("url").asText()).body());
        }
    }

    private static HttpResponse<byte[]> get(URI base, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(base.resolve(path)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }
}
