package io.wagateway.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.wagateway.conversation.InboundMessageService;
import io.wagateway.phonenumber.PhoneNumber;
import io.wagateway.support.Db;
import io.wagateway.support.FakeGraphApi;
import io.wagateway.support.FakeGraphResource;
import io.wagateway.support.Seeder;
import io.wagateway.support.TestTokens;
import io.wagateway.support.Webhooks;
import io.wagateway.support.WsClient;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Status webhooks move an outbound message forward only, whatever order they arrive in. */
@QuarkusTest
@QuarkusTestResource(value = FakeGraphResource.class, restrictToAnnotatedClass = true)
class StatusWebhookTest {

    @TestHTTPResource("/")
    URI base;

    @Inject
    Vertx vertx;

    @Inject
    Seeder seeder;

    @Inject
    Db db;

    @FakeGraphResource.InjectFakeGraph
    FakeGraphApi graph;

    private PhoneNumber number;
    private WsClient ws;
    private String messageId;
    private String wamid;

    @BeforeEach
    void sendOne() {
        graph.reset();
        String tenant = Seeder.tenant();
        number = seeder.phoneNumber(tenant);
        String customer = Seeder.number();
        InboundMessageService.Result inbound = seeder.inbound(number, customer, "C", "hi", Instant.now());
        ws = WsClient.connect(vertx, base, TestTokens.agent(tenant, "alice"));
        ws.ok("join_conversation", Map.of("conversationId", inbound.conversationId().toString()));
        messageId = ws.ok("send_message", Map.of("to", customer, "message", "out")).path("data")
                .path("messageId").asText();
        wamid = ws.next("message_sent_success").path("data").path("data").path("waMessageId").asText();
        assertEquals("sent", ws.next("message_status_update").path("data").path("status").asText());
    }

    @Test
    void lateAndRepeatedStatusesNeverMoveBack() {
        Instant now = Instant.now();
        post(Webhooks.status(wamid, "read", now));
        assertEquals("read", ws.next("message_status_update").path("data").path("status").asText());
        post(Webhooks.status(wamid, "delivered", now.minusSeconds(1))); // Meta skips or reorders delivered
        post(Webhooks.status(wamid, "sent", now.minusSeconds(2)));
        post(Webhooks.status(wamid, "read", now)); // redelivered
        post(Webhooks.status(wamid, "failed", now)); // a read message cannot have failed
        ws.assertNo("message_status_update", Duration.ofMillis(400));
        assertEquals("read", db.string("select status from message where id = $1::uuid", messageId));
        post(Webhooks.status(wamid, "played", now.plusSeconds(1)));
        assertEquals("played", ws.next("message_status_update").path("data").path("status").asText());
    }

    @Test
    void failedKeepsMetasErrorAndIsFinal() {
        Instant now = Instant.now();
        String failed = "{\"id\":\"" + wamid + "\",\"status\":\"failed\",\"timestamp\":\"" + now.getEpochSecond()
                + "\",\"recipient_id\":\"1\",\"errors\":[{\"code\":131047,\"title\":\"Re-engagement message\","
                + "\"error_data\":{\"details\":\"more than 24 hours\"}}]}";
        post(failed);
        JsonNode tick = ws.next("message_status_update");
        assertEquals("failed", tick.path("data").path("status").asText());
        assertEquals(131047, tick.path("data").path("error").path("code").asInt());
        post(Webhooks.status(wamid, "delivered", now.plusSeconds(1)));
        post(Webhooks.status(wamid, "read", now.plusSeconds(2)));
        ws.assertNo("message_status_update", Duration.ofMillis(400));
        assertEquals("131047", db.string("select error->>'code' from message where id = $1::uuid", messageId));
    }

    @Test
    void unknownStatusesAndMessagesAreHarmless() {
        post(Webhooks.status(wamid, "deleted", Instant.now()));
        post(Webhooks.status("wamid.nobody-knows", "delivered", Instant.now()));
        ws.assertNo("message_status_update", Duration.ofMillis(300));
        assertEquals("sent", db.string("select status from message where id = $1::uuid", messageId));
    }

    private void post(String status) {
        Webhooks.post(Webhooks.statuses(number.phoneNumberId, number.displayPhoneNumber, status)).then().statusCode(200);
    }

    @org.junit.jupiter.api.AfterEach
    void close() {
        ws.close();
    }
}
