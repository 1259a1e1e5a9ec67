package io.wagateway.inbox;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The inbox page's headers: a CSP without inline scripts, connections only to the gateway. */
@QuarkusTest
class SecurityHeadersTest {

    @Test
    void thePageGetsAPolicyThatAllowsOnlyTheGatewayItself() {
        String csp = given().header("Host", "inbox.example:8443").get("/")
                .then().header("X-Content-Type-Options", equalTo("nosniff"))
                .header("Referrer-Policy", equalTo("no-referrer"))
                .extract().header("Content-Security-Policy");
        assertTrue(csp.contains("script-src 'self';"), csp);
        assertTrue(csp.contains("connect-src 'self' ws://inbox.example:8443 wss://inbox.example:8443;"), csp);
        assertTrue(csp.contains("object-src 'none'"), csp);
        assertTrue(csp.contains("frame-ancestors 'self'"), csp);
        assertTrue(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"), csp);
    }

    @Inject
    SecurityHeaders headers;

    @Test
    void aHostHeaderThatCouldInjectIntoThePolicyIsLeftOut() {
        // Vert.x refuses most malformed Host headers with 400 before any route; the policy refuses the rest
        String csp = headers.policy("evil.example; script-src *");
        assertTrue(csp.contains("connect-src 'self'; ") && !csp.contains("evil"), csp);
        assertTrue(headers.policy(null).contains("connect-src 'self'; "));
    }

    @Test
    void theInboxPageIsAskedForAgainWhileItsAssetsStayCacheable() {
        given().get("/api/inbox/config").then().header("Cache-Control", nullValue());
    }

    @Test
    void theDevUiTheWebSocketAndMetasWebhooksAreLeftAlone() {
        given().get("/q/health/live").then().statusCode(200).header("Content-Security-Policy", nullValue());
        given().get("/webhooks/whatsapp").then().header("Content-Security-Policy", nullValue());
        given().get("/api/v1/numbers").then().statusCode(401).header("X-Content-Type-Options", equalTo("nosniff"));
    }

    @Test
    void thePageLearnsTheModeAndTheTokenUrl() {
        given().get("/api/inbox/config").then().statusCode(200)
                .body("sandbox", equalTo(true))
                .body("tokenUrl", nullValue());
    }

    @Test
    void aTokenUrlOnAnotherOriginIsAllowedToBeFetched() {
        assertEquals("https://host.example:8443", SecurityHeaders.originOf("https://host.example:8443/inbox/token?x=1"));
        assertEquals("https://host.example", SecurityHeaders.originOf("https://host.example/token"));
        assertEquals("", SecurityHeaders.originOf("/host/token"));
        assertEquals("", SecurityHeaders.originOf("::not a url"));
    }
}
