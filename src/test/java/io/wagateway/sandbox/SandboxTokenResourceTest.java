package io.wagateway.sandbox;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.wagateway.support.WsClient;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** In sandbox mode (the test profile's), development tokens open the gateway. */
@QuarkusTest
class SandboxTokenResourceTest {

    @TestHTTPResource("/")
    URI base;

    @Inject
    Vertx vertx;

    @Test
    void issuesATokenThatTheGatewayAccepts() {
        String token = given().queryParam("user", "zoe").queryParam("tenant", "sandbox-t")
                .queryParam("roles", "agent,supervisor")
                .get("/api/sandbox/token")
                .then().statusCode(200)
                .body("user", equalTo("zoe"))
                .body("tenant", equalTo("sandbox-t"))
                .body("roles", containsInAnyOrder("agent", "supervisor"))
                .extract().path("token");
        try (WsClient ws = WsClient.connect(vertx, base, token)) {
            assertEquals("zoe", ws.ok("authenticate", Map.of("token", token)).path("data").path("userId").asText());
        }
    }
}
