package io.wagateway.media;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.vertx.core.Vertx;
import io.wagateway.phonenumber.PhoneNumber;
import io.wagateway.support.Db;
import io.wagateway.support.FakeGraphApi;
import io.wagateway.support.FakeGraphResource;
import io.wagateway.support.Seeder;
import io.wagateway.support.TestTokens;
import io.wagateway.support.Webhooks;
import io.wagateway.support.WsClient;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Inbound media end to end against the scripted Graph API (PROTOCOL.md 6.4): the message is pushed at
 * once as pending, the download runs after the webhook's 200, and the message comes again as
 * message_updated with a signed url that serves the bytes; expired URLs, Meta down, hash mismatches
 * and permanent errors; who may read, ranges.
 */
@QuarkusTest
@QuarkusTestResource(value = FakeGraphResource.class, restrictToAnnotatedClass = true)
class InboundMediaTest {

    @TestHTTPResource("/")
    URI base;

    @Inject
    Vertx vertx;

    @Inject
    Seeder seeder;

    @Inject
    Db db;

    @Inject
    MediaUrls urls;

    @Inject
    MediaRetention retention;

    @FakeGraphResource.InjectFakeGraph
    FakeGraphApi graph;

    private String tenant;
    private PhoneNumber number;
    private WsClient ws;

    @BeforeEach
    void connect() {
        graph.reset();
        tenant = Seeder.tenant();
        number = seeder.phoneNumber(tenant);
        ws = WsClient.connect(vertx, base, TestTokens.agent(tenant, "alice"));
        ws.ok("join_general", Map.of());
    }

    @AfterEach
    void close() {
        ws.close();
    }

    @Test
    void everyMediaTypeIsPushedPendingThenAvailableWithAUrlThatServesTheBytes() throws Exception {
        record Kind(String type, String mime, String extra, boolean inline) {}
        for (Kind kind : new Kind[] {
                new Kind("image", "image/jpeg", ",\"caption\":\"the parcel\"", true),
                new Kind("audio", "audio/ogg; codecs=opus", ",\"voice\":true", true),
                new Kind("video", "video/mp4", "", true),
                new Kind("document", "application/pdf", ",\"filename\":\"../inv\\\"oice.pdf\"", false),
                new Kind("sticker", "image/webp", ",\"animated\":false", true)}) {
            byte[] bytes = bytes(3000 + kind.type().length());
            String metaId = "meta-" + kind.type() + "-" + UUID.randomUUID();
            graph.hostMedia(metaId, bytes, kind.mime(), hex(bytes));
            graph.hold(metaId); // the download waits: the media stays pending until released

            post(kind.type(), metaId, kind.mime(), hex(bytes), kind.extra());

            JsonNode pushed = ws.next("new_message").path("data");
            JsonNode media = pushed.path("media");
            assertEquals(kind.type(), pushed.path("type").asText());
            assertEquals("pending", media.path("status").asText(), pushed.toString());
            assertFalse(media.toString().contains(metaId), "Meta's id never reaches clients: " + media);
            String url = media.path("url").asText();
            assertTrue(url.startsWith("/api/media/" + media.path("id").asText() + "?sig="), url);
            Response pending = given().get(url);
            assertEquals(503, pending.statusCode());
            assertNotNull(pending.header("Retry-After"));
            graph.release(metaId);

            JsonNode updated = ws.next("message_updated").path("data");
            assertEquals(pushed.path("id").asText(), updated.path("id").asText());
            JsonNode done = updated.path("media");
            assertEquals("available", done.path("status").asText(), updated.toString());
            assertEquals(bytes.length, done.path("size").asLong());
            assertEquals(hex(bytes), done.path("sha256").asText());
            Response served = given().get(done.path("url").asText());
            assertEquals(200, served.statusCode());
            assertArrayEquals(bytes, served.asByteArray());
            assertEquals("nosniff", served.header("X-Content-Type-Options"));
            assertEquals(String.valueOf(bytes.length), served.header("Content-Length"));
            String disposition = served.header("Content-Disposition");
            assertTrue(disposition.startsWith(kind.inline() ? "inline" : "attachment"), disposition);
            assertFalse(disposition.contains("/") || disposition.contains("\\\""), disposition);
            assertTrue(served.header("Content-Type").startsWith(kind.mime().split(";")[0]), served.header("Content-Type"));
            if (kind.type().equals("image")) {
                assertEquals("the parcel", done.path("caption").asText());
            }
        }
        // the download used the number's token and an explicit User-Agent, and no URL was ever stored
        FakeGraphApi.Request download = graph.requests("").stream().filter(r -> r.path().startsWith("/lookaside/"))
                .findFirst().orElseThrow();
        assertTrue(download.headers().get("Authorization").startsWith("Bearer "));
        assertFalse(download.headers().get("User-Agent").isBlank());
        assertEquals(0L, db.count("select count(*) from message where media::text like '%lookaside%'"));
    }

    @Test
    void anExpiredUrlIsFetchedAgainAndABase64HashIsAccepted() throws Exception {
        byte[] bytes = bytes(1500);
        String metaId = "meta-expired-" + UUID.randomUUID();
        graph.hostMedia(metaId, bytes, "image/png", Base64.getEncoder().encodeToString(sha(bytes)));
        graph.expireFirstUrl(metaId);
        post("image", metaId, "image/png", null, "");
        ws.next("new_message");
        JsonNode updated = ws.next("message_updated").path("data").path("media");
        assertEquals("available", updated.path("status").asText(), updated.toString());
        assertEquals(2, infoCalls(metaId), "a fresh URL was asked for after the 404");
        assertArrayEquals(bytes, given().get(updated.path("url").asText()).asByteArray());
    }

    @Test
    void metaDownDuringTheDownloadIsRetriedThenServed() throws Exception {
        byte[] bytes = bytes(2048);
        String metaId = "meta-down-" + UUID.randomUUID();
        graph.hostMedia(metaId, bytes, "video/mp4", hex(bytes));
        graph.failDownloads(metaId, 2);
        post("video", metaId, "video/mp4", hex(bytes), "");
        ws.next("new_message");
        JsonNode updated = ws.next("message_updated").path("data").path("media");
        assertEquals("available", updated.path("status").asText());
        assertEquals(3, graph.requests("").stream().filter(r -> r.path().equals("/lookaside/" + metaId)).count());
        assertArrayEquals(bytes, given().get(updated.path("url").asText()).asByteArray());
    }

    @Test
    void aHashMismatchIsRetriedThenTheMediaIsUnavailable() throws Exception {
        byte[] bytes = bytes(512);
        String metaId = "meta-corrupt-" + UUID.randomUUID();
        graph.hostMedia(metaId, bytes, "image/jpeg", hex(bytes(513)));
        post("image", metaId, "image/jpeg", null, "");
        ws.next("new_message");
        JsonNode updated = ws.next("message_updated").path("data").path("media");
        assertEquals("unavailable", updated.path("status").asText(), updated.toString());
        assertTrue(graph.requests("").stream().filter(r -> r.path().equals("/lookaside/" + metaId)).count() >= 2,
                "retried before giving up");
        assertEquals(410, given().get(updated.path("url").asText()).statusCode());
        assertTrue(db.string("select last_error from media where id = $1::uuid", updated.path("id").asText())
                .contains("sha256"));
    }

    @Test
    void mediaMetaNoLongerHasIsUnavailableAtOnce() throws Exception {
        String metaId = "meta-gone-" + UUID.randomUUID();
        graph.enqueue(FakeGraphApi.Reply.error(400, 100, "Invalid media id"));
        post("document", metaId, "application/pdf", null, ",\"filename\":\"a.pdf\"");
        String conversationId = ws.next("new_message").path("data").path("conversationId").asText();
        JsonNode updated = ws.next("message_updated").path("data").path("media");
        assertEquals("unavailable", updated.path("status").asText());
        assertEquals(1, infoCalls(metaId), "a permanent error is not retried");
        // a message read later shows what the push said, with a url signed now
        JsonNode read = ws.ok("get_messages", Map.of("conversationId", conversationId)).path("data")
                .path(0).path("media");
        assertEquals("unavailable", read.path("status").asText(), read.toString());
        assertTrue(read.path("url").asText().startsWith("/api/media/"), read.toString());
    }

    @Test
    void mediaPastTheRetentionAreDeletedAndAnnouncedUnavailable() throws Throwable {
        byte[] bytes = bytes(4096);
        String metaId = "meta-old-" + UUID.randomUUID();
        graph.hostMedia(metaId, bytes, "image/jpeg", hex(bytes));
        post("image", metaId, "image/jpeg", hex(bytes), "");
        ws.next("new_message");
        JsonNode available = ws.next("message_updated").path("data").path("media");
        assertEquals("available", available.path("status").asText());
        int retired = io.quarkus.vertx.VertxContextSupport.subscribeAndAwait(
                () -> retention.retire(Instant.now().plusSeconds(1)));
        assertTrue(retired >= 1);
        JsonNode gone = ws.next("message_updated").path("data").path("media");
        assertEquals("unavailable", gone.path("status").asText(), gone.toString());
        assertEquals(410, given().get(gone.path("url").asText()).statusCode());
        assertEquals(0L, db.count("select count(*) from media_chunk where media_id = $1::uuid", available.path("id").asText()));
    }

    @Test
    void whoMayReadAndRanges() throws Exception {
        byte[] bytes = bytes(1_300_000); // three chunks of the postgres store
        String metaId = "meta-range-" + UUID.randomUUID();
        graph.hostMedia(metaId, bytes, "application/pdf", hex(bytes));
        post("document", metaId, "application/pdf", hex(bytes), "");
        ws.next("new_message");
        JsonNode media = ws.next("message_updated").path("data").path("media");
        String id = media.path("id").asText();
        String path = "/api/media/" + id;

        // the JWT of the tenant, without sig
        Response byToken = given().header("Authorization", "Bearer " + TestTokens.agent(tenant, "bob")).get(path);
        assertEquals(200, byToken.statusCode());
        assertArrayEquals(bytes, byToken.asByteArray());
        // another tenant's token: 404, as for an unknown id
        assertEquals(404, given().header("Authorization", "Bearer " + TestTokens.agent(Seeder.tenant(), "eve"))
                .get(path).statusCode());
        assertEquals(404, given().header("Authorization", "Bearer " + TestTokens.agent(tenant, "bob"))
                .get("/api/media/" + UUID.randomUUID()).statusCode());
        // neither token nor sig: 401; a bad token: 401
        assertEquals(401, given().get(path).statusCode());
        assertEquals(401, given().header("Authorization", "Bearer nope").get(path).statusCode());
        // a forged sig, a sig of another media, an expired sig: 403
        assertEquals(403, given().get(path + "?sig=" + (Instant.now().getEpochSecond() + 600) + ".AAAA").statusCode());
        String otherSig = urls.url(tenant, UUID.randomUUID().toString()).split("sig=")[1];
        assertEquals(403, given().get(path + "?sig=" + otherSig).statusCode());
        String otherTenantSig = urls.sign("someone-else", id, Instant.now().getEpochSecond() + 600);
        assertEquals(403, given().get(path + "?sig=" + otherTenantSig).statusCode());
        Response expired = given().get(path + "?sig=" + urls.sign(tenant, id, Instant.now().getEpochSecond() - 1));
        assertEquals(403, expired.statusCode());
        assertTrue(expired.contentType().startsWith("application/problem+json"), expired.contentType());

        // one range across a chunk boundary: 206 with Content-Range
        String sig = media.path("url").asText().split("\\?")[1];
        Response part = given().header("Range", "bytes=524000-525000").get(path + "?" + sig);
        assertEquals(206, part.statusCode());
        assertEquals("bytes 524000-525000/" + bytes.length, part.header("Content-Range"));
        assertArrayEquals(Arrays.copyOfRange(bytes, 524000, 525001), part.asByteArray());
        Response tail = given().header("Range", "bytes=-10").get(path + "?" + sig);
        assertEquals(206, tail.statusCode());
        assertArrayEquals(Arrays.copyOfRange(bytes, bytes.length - 10, bytes.length), tail.asByteArray());
        Response outside = given().header("Range", "bytes=" + bytes.length + "-").get(path + "?" + sig);
        assertEquals(416, outside.statusCode());
        assertEquals("bytes */" + bytes.length, outside.header("Content-Range"));
        // a PDF is never shown inline
        assertTrue(byToken.header("Content-Disposition").startsWith("attachment"));
    }

    private void post(String type, String metaId, String mime, String sha256, String extra) {
        String from = Seeder.number();
        String body = "{\"id\":\"" + metaId + "\",\"mime_type\":\"" + mime + "\""
                + (sha256 == null ? "" : ",\"sha256\":\"" + sha256 + "\"") + extra + "}";
        String message = "{\"from\":\"" + from + "\",\"id\":\"" + Webhooks.wamid() + "\",\"timestamp\":\""
                + Instant.now().getEpochSecond() + "\",\"type\":\"" + type + "\",\"" + type + "\":" + body + "}";
        String delivery = Webhooks.delivery(Webhooks.change(number.phoneNumberId, number.displayPhoneNumber,
                "\"contacts\":[{\"profile\":{\"name\":\"Ann\"},\"wa_id\":\"" + from + "\"}],\"messages\":[" + message + "]"));
        assertEquals(200, Webhooks.post(delivery).statusCode());
    }

    /** {@code GET /{version}/{media-id}} calls (not downloads). */
    private long infoCalls(String metaId) {
        return graph.requests("/" + metaId).stream().filter(r -> !r.path().startsWith("/lookaside/")).count();
    }

    private static byte[] bytes(int n) {
        byte[] bytes = new byte[n];
        new Random(n).nextBytes(bytes);
        return bytes;
    }

    private static byte[] sha(byte[] bytes) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(bytes);
    }

    private static String hex(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(sha(bytes));
    }
}
