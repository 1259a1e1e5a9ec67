package io.wagateway.collaboration;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.wagateway.support.Seeder;
import io.wagateway.support.TestTokens;
import io.wagateway.support.WsClient;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PROTOCOL.md 6.5: a burst of users costs a few presence frames per connection, and they add up right. */
@QuarkusTest
class PresenceBurstTest {

    private static final int USERS = 40;

    @TestHTTPResource("/")
    URI base;

    @Inject
    Vertx vertx;

    @Test
    void aBurstOfUsersIsSummedUpInAFewFramesThatAgreeWithGetAgents() {
        String tenant = Seeder.tenant();
        try (WsClient observer = WsClient.connect(vertx, base, TestTokens.agent(tenant, "observer"))) {
            observer.next("user_online"); // itself
            long started = System.nanoTime();
            List<WsClient> users = IntStream.range(0, USERS).mapToObj(i -> CompletableFuture.supplyAsync(
                    () -> WsClient.connect(vertx, base, TestTokens.agent(tenant, "u" + i)))).toList()
                    .stream().map(CompletableFuture::join).toList();
            Set<String> expected = new HashSet<>();
            IntStream.range(0, USERS).forEach(i -> expected.add("u" + i));

            Set<String> online = new HashSet<>();
            int frames = 0;
            while (!online.equals(expected)) {
                frames += apply(observer.nextPresence(), online);
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            // at most 2 a second (the default), plus the one-second burst allowance
            assertTrue(frames <= 2 * Math.ceil(seconds) + 2, frames + " presence frames in " + seconds + " s");
            JsonNode agents = observer.ok("get_agents", Map.of()).path("data");
            Set<String> listedOnline = new HashSet<>();
            agents.forEach(a -> {
                if (a.path("online").asBoolean()) {
                    listedOnline.add(a.path("agentId").asText());
                }
            });
            listedOnline.remove("observer");
            assertEquals(expected, listedOnline);

            users.forEach(WsClient::close);
            while (!online.isEmpty()) {
                apply(observer.nextPresence(), online);
            }
            observer.assertNo("user_online", Duration.ofMillis(500));
        }
    }

    /** Applies one presence frame to the observer's view; returns 1. */
    private static int apply(JsonNode frame, Set<String> online) {
        JsonNode data = frame.path("data");
        switch (frame.path("event").asText()) {
            case "user_online" -> online.add(data.path("userId").asText());
            case "user_offline" -> online.remove(data.path("userId").asText());
            case "presence_changed" -> {
                data.path("online").forEach(u -> online.add(u.asText()));
                data.path("offline").forEach(u -> online.remove(u.asText()));
            }
            default -> throw new AssertionError("not presence: " + frame);
        }
        return 1;
    }
}
