package io.wagateway.inbox;

import io.vertx.core.http.HttpMethod;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which requests get the page: the inbox's own paths, never the gateway's or an asset. */
class SpaRoutingTest {

    @Test
    void theInboxsOwnPathsGetThePage() {
        assertTrue(SpaRouting.isPagePath(HttpMethod.GET, "/conversations/42"));
        assertTrue(SpaRouting.isPagePath(HttpMethod.GET, "/no/such/page"));
        assertTrue(SpaRouting.isPagePath(HttpMethod.HEAD, "/settings"));
        assertTrue(SpaRouting.isPagePath(HttpMethod.GET, "/apis")); // not the /api prefix
    }

    @Test
    void theGatewaysPathsAssetsAndOtherMethodsDoNot() {
        assertFalse(SpaRouting.isPagePath(HttpMethod.GET, "/"));
        for (String path : new String[] {"/api", "/api/no/such", "/ws", "/webhooks/whatsapp", "/q/health",
                "/client/no-such", "/asyncapi.yaml", "/assets/index-x.js", "/favicon.svg"}) {
            assertFalse(SpaRouting.isPagePath(HttpMethod.GET, path), path);
        }
        assertFalse(SpaRouting.isPagePath(HttpMethod.POST, "/conversations/42"));
    }
}
