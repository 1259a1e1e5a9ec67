package io.wagateway.conversation;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.wagateway.support.Seeder;
import io.wagateway.support.Tenants;
import io.wagateway.support.TestTenant;
import io.wagateway.support.TestTokens;
import io.wagateway.support.WsClient;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * get_conversations orders by the time of each conversation's newest message, Meta's timestamp
 * (PROTOCOL.md 6.2), not by when the gateway stored it: a backlog delivered late comes out in
 * message order, and a late old message never moves its conversation to the top.
 */
@QuarkusTest
class ConversationOrderTest {

    @TestHTTPResource("/")
    URI base;

    @Inject
    Tenants tenants;

    @Test
    void aLateBacklogIsOrderedByItsMessagesNotByItsArrival() {
        TestTenant tenant = tenants.fresh(base);
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String customerA = Seeder.number();
        String customerC = Seeder.number();
        // Meta delivers a backlog late and out of order: every conversation is created now
        String a = tenant.inbound(customerA, "A", "3h ago", now.minus(Duration.ofHours(3))).conversationId().toString();
        String b = tenant.inbound(Seeder.number(), "B", "2h ago", now.minus(Duration.ofHours(2))).conversationId().toString();
        String c = tenant.inbound(customerC, "C", "4h ago", now.minus(Duration.ofHours(4))).conversationId().toString();
        try (WsClient ws = tenant.agent("alice")) {
            assertEquals(List.of(b, a, c), ids(ws));
            assertEquals(List.of(b, a, c), pagedIds(ws), "cursors follow the same order");

            // a late webhook with an older message of C: C stays where it is
            tenant.inbound(customerC, "C", "5h ago", now.minus(Duration.ofHours(5)));
            assertEquals(List.of(b, a, c), ids(ws));

            // a new message of A puts A first
            tenant.inbound(customerA, "A", "just now", now.minusSeconds(5));
            assertEquals(List.of(a, b, c), ids(ws));
        }
        // the REST API reads the same order
        given().auth().oauth2(TestTokens.agent(tenant.id(), "alice")).get("/api/v1/conversations")
                .then().statusCode(200).body("data.id", equalTo(List.of(a, b, c)));
    }

    private static List<String> ids(WsClient ws) {
        List<String> out = new ArrayList<>();
        ws.ok("get_conversations", Map.of()).path("data").forEach(c -> out.add(c.path("id").asText()));
        return out;
    }

    private static List<String> pagedIds(WsClient ws) {
        List<String> out = new ArrayList<>();
        Map<String, Object> request = new HashMap<>(Map.of("limit", 1));
        while (true) {
            JsonNode page = ws.ok("get_conversations", request);
            page.path("data").forEach(c -> out.add(c.path("id").asText()));
            if (page.path("nextCursor").isMissingNode()) {
                return out;
            }
            request.put("cursor", page.path("nextCursor").asText());
        }
    }
}
