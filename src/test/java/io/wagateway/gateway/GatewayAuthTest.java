package io.wagateway.gateway;

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
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Who may open /ws, and how a live connection's identity is refreshed and expires. */
@QuarkusTest
class GatewayAuthTest {

    @TestHTTPResource("/")
    URI base;

    @Inject
    Vertx vertx;

    private final String tenant = Seeder.tenant();

    @Test
    void agentWithHeaderTokenConnects() {
        try (WsClient ws = WsClient.connect(vertx, base, TestTokens.agent(tenant, "alice"))) {
            assertEquals("pong", ws.request("ping", Map.of()).path("event").asText());
        }
    }

    @Test
    void browserSubprotocolCarrierConnectsAndServerSelectsCarrier() {
        String carrier = URLEncoder.encode("quarkus-http-upgrade#Authorization#Bearer "
                + TestTokens.agent(tenant, "alice"), StandardCharsets.UTF_8).replace("+", "%20");
        try (WsClient ws = WsClient.connect(vertx, base, Map.of(), List.of("bearer-token-carrier", carrier))) {
            assertEquals("bearer-token-carrier", ws.subprotocol());
            assertEquals("pong", ws.request("ping", Map.of()).path("event").asText());
        }
    }

    @Test
    void refusesMissingAndInvalidTokensWith401() {
        assertRejected(401, null);
        assertRejected(401, "not-a-jwt");
        assertRejected(401, TestTokens.expired(tenant, "alice"));
        assertRejected(401, TestTokens.wrongIssuer(tenant, "alice"));
        assertRejected(401, TestTokens.foreignKey(tenant, "alice"));
        assertRejected(401, TestTokens.algNone(tenant, "alice"));
        assertRejected(401, TestTokens.noTenant("alice"));
    }

    /** Verified tokens are remembered for reconnect storms, but never past their expiry. */
    @Test
    void aTokenThatWorkedIsRefusedOnceItExpired() throws InterruptedException {
        String token = TestTokens.expiringIn(Duration.ofSeconds(2), tenant, "alice");
        try (WsClient ws = WsClient.connect(vertx, base, token)) {
            assertEquals("pong", ws.request("ping", Map.of()).path("event").asText());
        }
        try (WsClient again = WsClient.connect(vertx, base, token)) {
            assertEquals("pong", again.request("ping", Map.of()).path("event").asText());
        }
        Thread.sleep(2500);
        assertRejected(401, token);
    }

    @Test
    void refusesValidTokenWithoutGatewayRoleWith403() {
        assertRejected(403, TestTokens.token(tenant, "bob", "viewer"));
    }

    @Test
    void refusesOriginsOutsideTheAllowList() {
        String token = TestTokens.agent(tenant, "alice");
        WsClient.Rejected rejected = assertThrows(WsClient.Rejected.class, () -> WsClient.connect(vertx, base,
                Map.of("Authorization", "Bearer " + token, "Origin", "https://evil.example"), List.of()));
        assertEquals(403, rejected.status);
        try (WsClient ws = WsClient.connect(vertx, base,
                Map.of("Authorization", "Bearer " + token, "Origin", "https://inbox.example"), List.of())) {
            assertEquals("pong", ws.request("ping", Map.of()).path("event").asText());
        }
    }

    @Test
    void authenticateRefreshesTheIdentityOfTheSameUser() {
        try (WsClient ws = WsClient.connect(vertx, base, TestTokens.expiringIn(Duration.ofSeconds(3), tenant, "alice"))) {
            JsonNode refreshed = ws.ok("authenticate", Map.of("token", TestTokens.agent(tenant, "alice")));
            assertEquals("alice", refreshed.path("data").path("userId").asText());
            assertEquals(tenant, refreshed.path("data").path("tenant").asText());
            // the old expiry passes without a close: the refresh moved it
            ws.assertNo("pong", Duration.ofSeconds(4));
            assertEquals("pong", ws.request("ping", Map.of()).path("event").asText());
        }
    }

    @Test
    void authenticateRefusesAnotherUserOrTenantOrABadToken() {
        try (WsClient ws = WsClient.connect(vertx, base, TestTokens.agent(tenant, "alice"))) {
            assertEquals("auth_error", ws.request("authenticate",
                    Map.of("token", TestTokens.agent(tenant, "mallory"))).path("event").asText());
            assertEquals("auth_error", ws.request("authenticate",
                    Map.of("token", TestTokens.agent(Seeder.tenant(), "alice"))).path("event").asText());
            JsonNode bad = ws.request("authenticate", Map.of("token", TestTokens.foreignKey(tenant, "alice")));
            assertEquals("auth_error", bad.path("event").asText());
            assertEquals(false, bad.path("data").path("success").asBoolean(true));
            assertEquals("unauthorized", bad.path("data").path("error").path("code").asText());
            assertEquals("pong", ws.request("ping", Map.of()).path("event").asText());
        }
    }

    @Test
    void connectionIsClosedWith4001WhenTheTokenExpires() {
        try (WsClient ws = WsClient.connect(vertx, base, TestTokens.expiringIn(Duration.ofSeconds(2), tenant, "alice"))) {
            assertEquals(4001, ws.awaitClose());
        }
    }

    private void assertRejected(int status, String token) {
        WsClient.Rejected rejected = assertThrows(WsClient.Rejected.class, () -> WsClient.connect(vertx, base, token));
        assertEquals(status, rejected.status, "status for token " + token);
    }
}
