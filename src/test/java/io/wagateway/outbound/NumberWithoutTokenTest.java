package io.wagateway.outbound;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.vertx.core.Vertx;
import io.wagateway.phonenumber.PhoneNumber;
import io.wagateway.phonenumber.PhoneNumberService;
import io.wagateway.support.Db;
import io.wagateway.support.FakeGraphApi;
import io.wagateway.support.FakeGraphResource;
import io.wagateway.support.Seeder;
import io.wagateway.support.TestTokens;
import io.wagateway.support.WsClient;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A number registered without an access token (cloud mode): the send fails for good with Meta's
 * code 190 and never reaches Meta, instead of the sender throwing before its error handling
 * and the row being retried at every lock expiry.
 */
@QuarkusTest
@QuarkusTestResource(value = FakeGraphResource.class, restrictToAnnotatedClass = true)
class NumberWithoutTokenTest {

    @TestHTTPResource("/")
    URI base;

    @Inject
    Vertx vertx;

    @Inject
    Seeder seeder;

    @Inject
    Db db;

    @Inject
    PhoneNumberService numbers;

    @FakeGraphResource.InjectFakeGraph
    FakeGraphApi graph;

    @Test
    void sendFailsForGoodWithCode190() throws Throwable {
        graph.reset();
        String tenant = Seeder.tenant();
        String display = Seeder.number();
        PhoneNumber number = VertxContextSupport.subscribeAndAwait(() -> numbers.register(tenant,
                new PhoneNumberService.Registration("pn-" + UUID.randomUUID(), "waba-1", display, "Acme", null)));
        String customer = Seeder.number();
        seeder.inbound(number, customer, "Cus", "hi", Instant.now().minusSeconds(60));
        try (WsClient ws = WsClient.connect(vertx, base, TestTokens.agent(tenant, "alice"))) {
            ws.send("send_message", Map.of("to", customer, "message", "hello"));
            String messageId = ws.next("message_sent").path("data").path("data").path("messageId").asText();
            JsonNode error = ws.next("message_send_error");
            assertEquals(190, error.path("data").path("error").path("metaCode").asInt(), error.toString());
            assertEquals("failed", db.string("select status from message where id = $1::uuid", messageId));
            assertEquals(0, db.count("select count(*) from outbox where message_id = $1::uuid", messageId));
            assertEquals(0, graph.requests("/messages").size());
        }
    }
}
