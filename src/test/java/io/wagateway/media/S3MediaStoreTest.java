package io.wagateway.media;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.vertx.core.Vertx;
import io.wagateway.phonenumber.PhoneNumber;
import io.wagateway.support.FakeS3;
import io.wagateway.support.Seeder;
import io.wagateway.support.TestTokens;
import io.wagateway.support.WsClient;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.Arrays;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code app.media.store=s3} against {@link FakeS3}, an imitation of an S3-compatible store in the
 * test tree (path-style PUT/GET/HEAD/DELETE, ranged GET): the AWS SDK as configured stores the bytes
 * as they are, and reads them back in ranged pieces (chunk size 64 KiB here).
 */
@QuarkusTest
@QuarkusTestResource(value = FakeS3.class, restrictToAnnotatedClass = true)
class S3MediaStoreTest {

    @TestHTTPResource("/")
    URI base;

    @Inject
    Vertx vertx;

    @Inject
    Seeder seeder;

    @Inject
    MediaCatalog catalog;

    @FakeS3.InjectFakeS3
    FakeS3 s3;

    @Test
    void inboundAndUploadedMediaLiveInTheObjectStoreAndAreServedInRanges() throws Throwable {
        String tenant = Seeder.tenant();
        PhoneNumber number = seeder.phoneNumber(tenant);
        String token = TestTokens.agent(tenant, "alice");
        try (WsClient ws = WsClient.connect(vertx, base, token)) {
            ws.ok("join_general", Map.of());
            given().contentType("application/json").body(Map.of("from", Seeder.number(), "name", "Sandy",
                            "phoneNumberId", number.phoneNumberId, "media", Map.of("type", "document")))
                    .post("/api/sandbox/inbound").then().statusCode(202);
            ws.next("new_message");
            JsonNode media = ws.next("message_updated").path("data").path("media");
            assertEquals("available", media.path("status").asText(), media.toString());
            String key = "/" + FakeS3.BUCKET + "/media/" + tenant + "/" + media.path("id").asText();
            byte[] stored = s3.object(key);
            byte[] served = given().get(media.path("url").asText()).asByteArray();
            assertArrayEquals(stored, served, "the object holds the file as it is");
            assertTrue(new String(served, java.nio.charset.StandardCharsets.ISO_8859_1).startsWith("%PDF-"));
            assertEquals("s3", db(media.path("id").asText()).store());
        }

        // an upload of 200 KB: stored unframed, read back as ranged GETs of 64 KiB
        byte[] bytes = OutboundMediaTest.file("%PDF-1.7\n".getBytes(), 200_000);
        Response uploaded = given().header("Authorization", "Bearer " + token)
                .multiPart("file", "big.pdf", bytes, "application/pdf").post("/api/media");
        assertEquals(201, uploaded.statusCode(), uploaded.asString());
        String id = uploaded.jsonPath().getString("mediaId");
        String key = "/" + FakeS3.BUCKET + "/media/" + tenant + "/" + id;
        assertArrayEquals(bytes, s3.object(key));
        assertTrue(s3.requests().stream().filter(r -> r.method().equals("PUT") && r.path().equals(key))
                .allMatch(r -> r.contentEncoding() == null || !r.contentEncoding().contains("aws-chunked")));
        Response whole = given().header("Authorization", "Bearer " + token).get("/api/media/" + id);
        assertArrayEquals(bytes, whole.asByteArray());
        assertEquals(4, s3.requests().stream().filter(r -> r.method().equals("GET") && r.path().equals(key)).count(),
                "200 KB in pieces of 64 KiB");
        Response part = given().header("Authorization", "Bearer " + token).header("Range", "bytes=65000-70000")
                .get("/api/media/" + id);
        assertEquals(206, part.statusCode());
        assertArrayEquals(Arrays.copyOfRange(bytes, 65000, 70001), part.asByteArray());
        assertNull(s3.object("/" + FakeS3.BUCKET + "/media/" + tenant + "/nothing"));
    }

    private MediaRow db(String id) throws Throwable {
        return io.quarkus.vertx.VertxContextSupport.subscribeAndAwait(() -> catalog.find(java.util.UUID.fromString(id)));
    }
}
