package io.wagateway.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.vertx.core.Vertx;
import io.wagateway.phonenumber.PhoneNumber;
import io.wagateway.support.RawWebSocket;
import io.wagateway.support.Seeder;
import io.wagateway.support.TestTokens;
import io.wagateway.support.WsClient;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client that stops reading is closed (4008) once its buffer is over app.ws.max-queued-bytes;
 * the others are not held up, and after a reconnect and resume it has missed nothing.
 */
@QuarkusTest
@TestProfile(SlowConsumerTest.SmallBuffer.class)
class SlowConsumerTest {

    public static class SmallBuffer implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("app.ws.max-queued-bytes", "65536");
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/")
    URI base;

    @Inject
    Vertx vertx;

    @Inject
    Seeder seeder;

    @Test
    void aClientThatStopsReadingIsClosedAndResumesWithoutALoss() throws Exception {
        String tenant = Seeder.tenant();
        PhoneNumber number = seeder.phoneNumber(tenant);
        String customer = Seeder.number();
        try (WsClient reader = WsClient.connect(vertx, base, TestTokens.agent(tenant, "fast"));
             RawWebSocket stalled = RawWebSocket.connect(base, TestTokens.agent(tenant, "slow"), 4096)) {
            reader.ok("join_general", Map.of());
            stalled.sendText("{\"event\":\"join_general\",\"requestId\":\"j\",\"data\":{}}");
            Thread.sleep(300); // the join is handled before the first message
            int messages = 800; // ~7 KB of frames each: more than the buffer and both sockets hold (the kernel's send buffer grows to 4 MB)
            for (int i = 0; i < messages; i++) {
                seeder.inbound(number, customer, "Carla", "message " + i + " " + "x".repeat(3000), Instant.now());
            }
            // the reading client got every message, in order
            long lastSeq = 0;
            for (int i = 0; i < messages; i++) {
                JsonNode frame = reader.next("new_message");
                assertEquals("message " + i, frame.path("data").path("content").asText().substring(0, 8 + String.valueOf(i).length()));
                assertTrue(frame.path("seq").asLong() > lastSeq);
                lastSeq = frame.path("seq").asLong();
            }
            // the stalled one was dropped: what it can still read ends with the server's close
            List<RawWebSocket.Frame> frames = stalled.readUntilClosed(10_000);
            long seenUpTo = 0;
            Set<String> seen = new HashSet<>();
            for (RawWebSocket.Frame frame : frames) {
                if (frame.opcode() == 1) {
                    JsonNode json = JSON.readTree(frame.text());
                    if (json.has("seq")) {
                        seenUpTo = json.path("seq").asLong();
                    }
                    if ("new_message".equals(json.path("event").asText())) {
                        seen.add(json.path("data").path("id").asText());
                    }
                }
            }
            assertTrue(seen.size() < messages, "the stalled client was not cut off: it read all " + seen.size());
            String metrics = RestAssured.get("/q/metrics").asString();
            assertTrue(metrics.lines().anyMatch(l -> l.startsWith("wagateway_ws_slow_consumers_total")
                    && !l.endsWith(" 0.0")), "no slow consumer counted");

            // back again: resume from what it had read brings exactly the rest
            try (WsClient again = WsClient.connect(vertx, base, TestTokens.agent(tenant, "slow"))) {
                again.ok("join_general", Map.of());
                again.send("resume", Map.of("lastSeq", seenUpTo));
                List<String> replayed = new ArrayList<>();
                JsonNode frame;
                while (!"resumed".equals((frame = again.nextAny()).path("event").asText())) {
                    if ("new_message".equals(frame.path("event").asText())) {
                        replayed.add(frame.path("data").path("id").asText());
                    }
                }
                assertTrue(frame.path("data").path("data").path("recovered").asBoolean());
                Set<String> all = new HashSet<>(seen);
                for (String id : replayed) {
                    assertTrue(all.add(id), "message " + id + " twice");
                }
                assertEquals(messages, all.size());
            }
        }
    }
}
