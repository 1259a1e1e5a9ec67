package io.wagateway.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.wagateway.support.Seeder;
import io.wagateway.support.TestTokens;
import io.wagateway.support.WsClient;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The envelope: every malformed frame gets a clear error and the connection survives it. */
@QuarkusTest
class GatewayProtocolTest {

    @TestHTTPResource("/")
    URI base;

    @Inject
    Vertx vertx;

    private WsClient ws;

    @BeforeEach
    void connect() {
        ws = WsClient.connect(vertx, base, TestTokens.agent(Seeder.tenant(), "alice"));
    }

    @AfterEach
    void close() {
        ws.close();
    }

    @Test
    void pingAnswersPongWithTheRequestId() {
        String id = ws.send("ping", Map.of());
        JsonNode pong = ws.next("pong");
        assertEquals(id, pong.path("requestId").asText());
        assertTrue(pong.path("data").path("success").asBoolean());
        assertTrue(pong.path("data").path("data").path("timestamp").isTextual());
    }

    @Test
    void malformedJsonIsABadRequestAndTheConnectionStaysOpen() {
        ws.sendRaw("{not json");
        assertError("bad_request", null);
        ws.sendRaw("[1,2,3]");
        assertError("bad_request", null);
        assertAlive();
    }

    @Test
    void frameWithoutEventIsABadRequestThatEchoesTheRequestId() {
        ws.sendRaw("{\"requestId\":\"x1\",\"data\":{}}");
        assertError("bad_request", "x1");
        assertAlive();
    }

    @Test
    void unknownEventIsReported() {
        ws.sendRaw("{\"event\":\"drop_tables\",\"requestId\":\"x2\",\"data\":{}}");
        JsonNode error = assertError("unknown_event", "x2");
        assertTrue(error.path("data").path("message").asText().contains("drop_tables"));
        assertAlive();
    }

    @Test
    void missingRequiredFieldNamesTheField() {
        ws.sendRaw("{\"event\":\"get_messages\",\"requestId\":\"x3\",\"data\":{}}");
        JsonNode error = assertError("bad_request", "x3");
        assertTrue(error.path("data").path("message").asText().contains("conversationId"), error.toString());
        ws.sendRaw("{\"event\":\"join_conversation\",\"requestId\":\"x4\"}");
        assertError("bad_request", "x4");
        assertAlive();
    }

    @Test
    void wrongTypesAndSizesAreBadRequests() {
        ws.sendRaw("{\"event\":\"get_contacts\",\"requestId\":\"x5\",\"data\":{\"limit\":\"many\"}}");
        assertTrue(assertError("bad_request", "x5").path("data").path("message").asText().contains("limit"));
        ws.sendRaw("{\"event\":\"get_contacts\",\"requestId\":\"x6\",\"data\":{\"limit\":500}}");
        assertError("bad_request", "x6");
        ws.sendRaw("{\"event\":\"get_contacts\",\"requestId\":\"x7\",\"data\":[1]}");
        assertError("bad_request", "x7");
        ws.sendRaw("{\"event\":\"ping\",\"requestId\":\"" + "r".repeat(65) + "\",\"data\":{}}");
        assertError("bad_request", null);
        ws.sendRaw("{\"event\":\"agent_status_update\",\"requestId\":\"x8\",\"data\":{\"status\":\"asleep\"}}");
        assertError("bad_request", "x8");
        assertAlive();
    }

    @Test
    void oversizedMessageInSeveralFramesClosesWith1009() {
        ws.sendRaw("{\"event\":\"ping\",\"data\":{\"pad\":\"" + "x".repeat(70 * 1024) + "\"}}");
        assertEquals(1009, ws.awaitClose());
    }

    @Test
    void oversizedSingleFrameClosesWith1009() {
        try (WsClient big = WsClient.connect(vertx, base, TestTokens.agent(Seeder.tenant(), "bob"), 256 * 1024)) {
            big.sendRaw("{\"event\":\"ping\",\"data\":{\"pad\":\"" + "x".repeat(70 * 1024) + "\"}}");
            assertEquals(1009, big.awaitClose());
        }
    }

    @Test
    void frameJustUnderTheLimitIsServed() {
        String pad = "x".repeat(64 * 1024 - 100);
        ws.sendRaw("{\"event\":\"ping\",\"requestId\":\"big\",\"data\":{\"pad\":\"" + pad + "\"}}");
        assertEquals("big", ws.next("pong").path("requestId").asText());
    }

    @Test
    void nulCharactersAreRefused() {
        ws.sendRaw("{\"event\":\"get_contacts\",\"requestId\":\"n1\",\"data\":{\"search\":\"a\\u0000b\"}}");
        assertError("bad_request", null);
        assertAlive();
    }

    @Test
    void floodingIsRateLimitedWithoutRunningTheEvent() {
        for (int i = 0; i < 80; i++) {
            ws.sendRaw("{\"event\":\"ping\",\"requestId\":\"f" + i + "\",\"data\":{}}");
        }
        int pongs = 0;
        int limited = 0;
        for (int i = 0; i < 80; i++) {
            JsonNode frame = ws.nextAny();
            if ("pong".equals(frame.path("event").asText())) {
                pongs++;
            } else {
                assertEquals("rate_limited", frame.path("data").path("code").asText());
                limited++;
            }
        }
        assertTrue(pongs >= 50 && pongs < 80, "pongs: " + pongs);
        assertTrue(limited > 0, "limited: " + limited);
        assertAlive();
    }

    private JsonNode assertError(String code, String requestId) {
        JsonNode error = ws.next("error");
        assertEquals(code, error.path("data").path("code").asText(), error.toString());
        assertTrue(error.path("data").path("message").isTextual());
        if (requestId != null) {
            assertEquals(requestId, error.path("requestId").asText());
        }
        return error;
    }

    private void assertAlive() {
        try {
            Thread.sleep(1100); // lets the rate-limit bucket refill after the bursts of a test
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        assertEquals("pong", ws.request("ping", Map.of()).path("event").asText());
    }
}
