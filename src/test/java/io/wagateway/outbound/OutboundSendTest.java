package io.wagateway.outbound;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;
import io.wagateway.conversation.InboundMessageService;
import io.wagateway.phonenumber.PhoneNumber;
import io.wagateway.support.Db;
import io.wagateway.support.FakeGraphApi;
import io.wagateway.support.FakeGraphApi.Reply;
import io.wagateway.support.FakeGraphResource;
import io.wagateway.support.Seeder;
import io.wagateway.support.Tenants;
import io.wagateway.support.TestTenant;
import io.wagateway.support.WsClient;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** send_message against a scripted Graph API imitation. */
@QuarkusTest
@QuarkusTestResource(value = FakeGraphResource.class, restrictToAnnotatedClass = true)
class OutboundSendTest {

    @TestHTTPResource("/")
    URI base;

    @Inject
    Tenants tenants;

    @Inject
    Db db;

    @Inject
    Seeder seeder;

    @Inject
    Pool pool;

    @FakeGraphResource.InjectFakeGraph
    FakeGraphApi graph;

    private TestTenant tenant;
    private String customer;
    private InboundMessageService.Result inbound;

    @BeforeEach
    void seed() {
        graph.reset();
        tenant = tenants.fresh(base);
        customer = Seeder.number();
        inbound = tenant.inbound(customer, "Cus", "hi there", Instant.now().minusSeconds(60));
    }

    @Test
    void textIsStoredAnsweredAndSentWithTheNumbersToken() {
        try (WsClient ws = tenant.agent("alice"); WsClient colleague = tenant.agent("bob")) {
            colleague.ok("join_conversation", Map.of("conversationId", conversationId()));
            String id = ws.send("send_message", Map.of("to", "+" + customer, "message", "See https://acme.example",
                    "clientMessageId", "c-1"));
            JsonNode sent = ws.next("message_sent");
            assertEquals(id, sent.path("requestId").asText());
            assertEquals("pending", sent.path("data").path("data").path("status").asText());
            assertEquals("c-1", sent.path("data").path("data").path("clientMessageId").asText());
            String messageId = sent.path("data").path("data").path("messageId").asText();
            JsonNode success = ws.next("message_sent_success");
            assertEquals(id, success.path("requestId").asText());
            assertEquals(messageId, success.path("data").path("data").path("messageId").asText());
            assertTrue(success.path("data").path("data").path("waMessageId").asText().startsWith("wamid.fake-"));

            FakeGraphApi.Request call = graph.await("/messages", 1).get(0);
            assertEquals("POST", call.method());
            assertEquals("/v25.0/" + tenant.number().phoneNumberId + "/messages", call.path());
            assertEquals("Bearer secret-token-" + tenant.number().displayPhoneNumber, call.headers().get("Authorization"));
            assertTrue(call.headers().get("Content-Type").startsWith("application/json"));
            JsonNode body = call.body();
            assertEquals("whatsapp", body.path("messaging_product").asText());
            assertEquals(customer, body.path("to").asText());
            assertEquals("text", body.path("type").asText());
            assertEquals("See https://acme.example", body.path("text").path("body").asText());
            assertTrue(body.path("text").path("preview_url").asBoolean());
            assertEquals(messageId, body.path("biz_opaque_callback_data").asText());

            // the colleague in the room sees the outbound message and its tick
            JsonNode pushed = colleague.next("new_message");
            assertTrue(pushed.path("data").path("isOutgoing").asBoolean());
            assertEquals("outbound", pushed.path("data").path("direction").asText());
            assertEquals("alice", pushed.path("data").path("sentBy").asText());
            JsonNode tick = colleague.next("message_status_update");
            assertEquals("sent", tick.path("data").path("status").asText());
            assertEquals(messageId, tick.path("data").path("messageId").asText());
            assertEquals("sent", db.string("select status from message where id = $1::uuid", messageId));
            assertEquals(0, db.count("select count(*) from outbox where message_id = $1::uuid", messageId));
        }
    }

    @Test
    void everyTypeBuildsMetasRequestBody() {
        String replyTarget = inbound.messageId().toString();
        try (WsClient ws = tenant.agent("alice")) {
            send(ws, Map.of("to", customer, "type", "template", "template", Map.of("name", "order_update",
                    "language", "en_US", "components", List.of(Map.of("type", "body", "parameters",
                            List.of(Map.of("type", "text", "text", "John")))))));
            send(ws, Map.of("to", customer, "type", "image", "media", Map.of("id", "media-1"), "message", "look"));
            send(ws, Map.of("to", customer, "type", "document", "media", Map.of("link", "https://x.example/inv.pdf",
                    "filename", "inv.pdf", "caption", "Invoice")));
            send(ws, Map.of("to", customer, "type", "audio", "media", Map.of("id", "media-2"), "message", "ignored"));
            send(ws, Map.of("to", customer, "type", "video", "media", Map.of("id", "media-3")));
            send(ws, Map.of("to", customer, "type", "reaction", "reaction", Map.of("messageId", replyTarget,
                    "emoji", "👍")));
            send(ws, Map.of("to", customer, "type", "location", "location", Map.of("latitude", 52.5,
                    "longitude", 13.4, "name", "HQ", "address", "Main St 1")));
            send(ws, Map.of("to", customer, "message", "quoted", "replyTo", replyTarget));
        }
        List<JsonNode> bodies = graph.await("/messages", 8).stream().map(FakeGraphApi.Request::body).toList();
        Map<String, JsonNode> byType = new HashMap<>();
        bodies.forEach(b -> byType.merge(b.path("type").asText(), b, (a, b2) -> b2.has("context") ? b2 : a));
        JsonNode template = byType.get("template").path("template");
        assertEquals("order_update", template.path("name").asText());
        assertEquals("en_US", template.path("language").path("code").asText());
        assertEquals("John", template.path("components").path(0).path("parameters").path(0).path("text").asText());
        assertEquals("media-1", byType.get("image").path("image").path("id").asText());
        assertEquals("look", byType.get("image").path("image").path("caption").asText());
        JsonNode document = byType.get("document").path("document");
        assertEquals("https://x.example/inv.pdf", document.path("link").asText());
        assertEquals("inv.pdf", document.path("filename").asText());
        assertEquals("Invoice", document.path("caption").asText());
        assertFalse(byType.get("audio").path("audio").has("caption"));
        assertEquals("media-3", byType.get("video").path("video").path("id").asText());
        String inboundWamid = db.string("select wa_message_id from message where id = $1", inbound.messageId());
        assertEquals(inboundWamid, byType.get("reaction").path("reaction").path("message_id").asText());
        assertEquals("👍", byType.get("reaction").path("reaction").path("emoji").asText());
        assertEquals(52.5, byType.get("location").path("location").path("latitude").asDouble());
        assertEquals("Main St 1", byType.get("location").path("location").path("address").asText());
        assertEquals(inboundWamid, byType.get("text").path("context").path("message_id").asText());
    }

    @Test
    void repeatedClientMessageIdReturnsTheFirstMessageAndSendsOnce() {
        try (WsClient ws = tenant.agent("alice")) {
            Map<String, Object> request = Map.of("to", customer, "message", "once", "clientMessageId", "same-id");
            String first = ws.ok("send_message", request).path("data").path("messageId").asText();
            ws.next("message_sent_success");
            JsonNode again = ws.ok("send_message", request).path("data");
            assertEquals(first, again.path("messageId").asText());
            assertEquals("sent", again.path("status").asText());
            ws.assertNo("message_sent_success", Duration.ofMillis(300));
            assertEquals(1, graph.requests("/messages").size());
            assertEquals(1, db.count("select count(*) from message where tenant_id = $1 and client_message_id = $2",
                    tenant.id(), "same-id"));
        }
    }

    /**
     * Another transaction (a second replica, another lane) stores the same clientMessageId while the
     * send's batch is in flight: the batch waits on the unique key, fails, and its send, retried on
     * its own, answers with the other transaction's message. Nothing is sent twice.
     */
    @Test
    void clientMessageIdStoredByAConcurrentTransactionAnswersWithThatMessage() {
        UUID theirs = UUID.randomUUID();
        SqlConnection other = pool.getConnection().await().atMost(WsClient.WAIT);
        try (WsClient ws = tenant.agent("alice")) {
            Transaction transaction = other.begin().await().atMost(WsClient.WAIT);
            other.preparedQuery("""
                            insert into message (id, tenant_id, conversation_id, direction, type, content,
                                                 client_message_id, status, ts)
                            values ($1, $2, $3, 'outbound', 'text', 'theirs', 'race-1', 'pending', now())""")
                    .execute(Tuple.of(theirs, tenant.id(), inbound.conversationId())).await().atMost(WsClient.WAIT);
            String request = ws.send("send_message", Map.of("to", customer, "message", "mine",
                    "clientMessageId", "race-1"));
            ws.assertNo("message_sent", Duration.ofMillis(300)); // blocked on the unique key
            transaction.commit().await().atMost(WsClient.WAIT);

            JsonNode answer = ws.answerTo(request);
            assertEquals("message_sent", answer.path("event").asText(), answer.toString());
            assertEquals(theirs.toString(), answer.path("data").path("data").path("messageId").asText());
            ws.assertNo("message_sent_success", Duration.ofMillis(300));
        } finally {
            other.close().await().atMost(WsClient.WAIT);
        }
        assertEquals(0, graph.requests("/messages").size());
        assertEquals(1, db.count("select count(*) from message where tenant_id = $1 and client_message_id = $2",
                tenant.id(), "race-1"));
    }

    /**
     * Sends from several connections at once are stored together (group commit): each is answered
     * on its own, a bad one fails alone, a clientMessageId sent twice at once is stored and sent
     * once, and a colleague sees every stored message once, in seq order.
     */
    @Test
    void concurrentSendsAreStoredTogetherAndEachIsAnsweredOnItsOwn() {
        String stranger = Seeder.number(); // never wrote: text is outside the window, a template is not
        List<WsClient> agents = List.of(tenant.agent("a0"), tenant.agent("a1"), tenant.agent("a2"), tenant.agent("a3"));
        try (WsClient colleague = tenant.agent("bob")) {
            colleague.ok("join_conversation", Map.of("conversationId", conversationId()));
            Map<String, String> expected = new java.util.LinkedHashMap<>(); // requestId -> outcome
            Map<String, WsClient> via = new HashMap<>();
            Sender fire = (i, outcome, request) -> {
                String id = agents.get(i).send("send_message", request);
                via.put(id, agents.get(i));
                expected.put(id, outcome);
            };
            for (int round = 0; round < 3; round++) {
                fire.send(0, "sent", Map.of("to", customer, "message", "dup", "clientMessageId", "dup-" + round));
                fire.send(1, "sent", Map.of("to", customer, "message", "dup", "clientMessageId", "dup-" + round));
                fire.send(2, "outside_window", Map.of("to", stranger, "message", "hello?"));
                fire.send(3, "bad_request", Map.of("to", customer, "message", "quoting", "replyTo", "wamid.nope"));
                fire.send(0, "sent", Map.of("to", customer, "message", "plain " + round));
                fire.send(2, "sent", Map.of("to", stranger, "type", "template", "template",
                        Map.of("name", "hello", "language", "en")));
                fire.send(3, "bad_request", Map.of("to", stranger, "conversationId", conversationId(),
                        "message", "wrong to"));
                fire.send(1, "not_found", Map.of("to", customer, "conversationId",
                        java.util.UUID.randomUUID().toString(), "message", "no such conversation"));
            }
            Map<String, String> messageIdByClientId = new HashMap<>();
            int stored = 0;
            for (var entry : expected.entrySet()) {
                JsonNode answer = via.get(entry.getKey()).answerTo(entry.getKey());
                if (entry.getValue().equals("sent")) {
                    assertEquals("message_sent", answer.path("event").asText(), answer.toString());
                    JsonNode data = answer.path("data").path("data");
                    String clientId = data.path("clientMessageId").asText(null);
                    String first = clientId == null ? null : messageIdByClientId.putIfAbsent(clientId,
                            data.path("messageId").asText());
                    if (first == null) {
                        stored++;
                    } else {
                        assertEquals(first, data.path("messageId").asText(), "a repeat gets the first message");
                    }
                } else {
                    assertEquals("message_send_error", answer.path("event").asText(), answer.toString());
                    assertEquals(entry.getValue(), answer.path("data").path("error").path("code").asText());
                }
            }
            assertEquals(3 * 3, stored); // per round: dup (twice, stored once), plain, template
            graph.await("/messages", stored);
            assertEquals(stored, db.count("select count(*) from message where tenant_id = $1 and direction = 'outbound'",
                    tenant.id()));
            long lastSeq = 0;
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (int i = 0; i < 3 * 2; i++) { // the customer's: dup and plain, per round
                JsonNode pushed = colleague.next("new_message");
                assertTrue(pushed.path("seq").asLong() > lastSeq, "seq increases");
                lastSeq = pushed.path("seq").asLong();
                assertTrue(seen.add(pushed.path("data").path("id").asText()), "each message once");
            }
        } finally {
            agents.forEach(WsClient::close);
        }
        // nothing else was sent: the repeats were not
        assertEquals(3 * 3, graph.requests("/messages").size());
    }

    @FunctionalInterface
    private interface Sender {
        void send(int agent, String expectedOutcome, Map<String, Object> request);
    }

    @Test
    void outsideTheWindowOnlyTemplatesGoOut() {
        String late = Seeder.number();
        tenant.inbound(late, "Old", "long ago", Instant.now().minus(Duration.ofHours(25)));
        try (WsClient ws = tenant.agent("alice")) {
            for (String to : List.of(late, Seeder.number())) { // an old conversation, and a customer never seen
                JsonNode refused = ws.request("send_message", Map.of("to", to, "message", "hello?"));
                assertEquals("message_send_error", refused.path("event").asText());
                assertEquals("outside_window", refused.path("data").path("error").path("code").asText());
                assertTrue(refused.path("data").path("messageId").isMissingNode());
            }
            assertEquals(0, db.count("select count(*) from message where tenant_id = $1 and direction = 'outbound'", tenant.id()));
            assertEquals(0, graph.requests("/messages").size());
            send(ws, Map.of("to", late, "type", "template", "template", Map.of("name", "reengage", "language",
                    Map.of("code", "en"))));
            ws.next("message_sent_success");
        }
    }

    @Test
    void retriesServerErrorsTimeoutsAndThrottlingThenSucceeds() {
        graph.enqueue(Reply.error(500, 1, "An unknown error occurred"), new Reply(200, "{}", 1500),
                Reply.error(400, 130429, "Rate limit hit"));
        try (WsClient ws = tenant.agent("alice")) {
            send(ws, Map.of("to", customer, "message", "persistent"));
            JsonNode success = ws.next("message_sent_success");
            assertTrue(success.path("data").path("data").path("waMessageId").asText().startsWith("wamid.fake-"));
            assertEquals(4, graph.requests("/messages").size());
        }
    }

    @Test
    void permanentErrorsFailAtOnceWithMetasCode() {
        for (int code : new int[] {131026, 131047}) {
            graph.reset();
            graph.enqueue(Reply.error(400, code, "Message undeliverable"));
            try (WsClient ws = tenant.agent("alice")) {
                ws.ok("join_conversation", Map.of("conversationId", conversationId()));
                String messageId = send(ws, Map.of("to", customer, "message", "doomed " + code));
                JsonNode error = ws.next("message_send_error");
                assertFalse(error.path("data").path("success").asBoolean(true));
                assertEquals(messageId, error.path("data").path("messageId").asText());
                assertEquals("whatsapp_error", error.path("data").path("error").path("code").asText());
                assertEquals(code, error.path("data").path("error").path("metaCode").asInt());
                assertEquals("details of " + code, error.path("data").path("error").path("details").asText());
                JsonNode tick = ws.next("message_status_update");
                assertEquals("failed", tick.path("data").path("status").asText());
                assertEquals(code, tick.path("data").path("error").path("code").asInt());
                ws.assertNo("message_sent_success", Duration.ofMillis(300));
                assertEquals(1, graph.requests("/messages").size());
                assertEquals("failed", db.string("select status from message where id = $1::uuid", messageId));
            }
        }
    }

    @Test
    void retryableErrorThatNeverClearsFailsAfterTheLastAttempt() {
        for (int i = 0; i < 4; i++) {
            graph.enqueue(Reply.error(503, 0, "unavailable"));
        }
        try (WsClient ws = tenant.agent("alice")) {
            send(ws, Map.of("to", customer, "message", "unlucky"));
            JsonNode error = ws.next("message_send_error");
            assertEquals("whatsapp_error", error.path("data").path("error").path("code").asText());
            assertEquals(4, graph.requests("/messages").size());
        }
    }

    @Test
    void invalidSendsAreRefusedBeforeAnythingIsStored() {
        try (WsClient ws = tenant.agent("alice")) {
            List<Map<String, Object>> invalid = List.of(
                    Map.of("to", "12", "message", "x"),
                    Map.of("to", customer),
                    Map.of("to", customer, "type", "template", "template", Map.of("language", "en")),
                    Map.of("to", customer, "type", "image", "media", Map.of()),
                    Map.of("to", customer, "type", "image", "media", Map.of("id", "m", "caption", "c".repeat(1025))),
                    Map.of("to", customer, "type", "location", "location", Map.of("latitude", "north")),
                    Map.of("to", customer, "type", "reaction", "reaction", Map.of("messageId", "nope", "emoji", "x")),
                    Map.of("to", customer, "message", "x", "replyTo", "wamid.unknown"),
                    Map.of("to", customer, "message", "x", "conversationId", "00000000-0000-0000-0000-000000000000"));
            for (Map<String, Object> request : invalid) {
                JsonNode answer = ws.request("send_message", request);
                assertEquals("message_send_error", answer.path("event").asText(), request.toString());
                assertTrue(List.of("bad_request", "not_found").contains(
                        answer.path("data").path("error").path("code").asText()), answer.toString());
            }
            JsonNode tooLong = ws.request("send_message", Map.of("to", customer, "message", "x".repeat(4097)));
            assertEquals("error", tooLong.path("event").asText());
            assertEquals("bad_request", tooLong.path("data").path("code").asText());
        }
        assertEquals(0, db.count("select count(*) from message where tenant_id = $1 and direction = 'outbound'", tenant.id()));
        assertEquals(0, graph.requests("/messages").size());
    }

    @Test
    void accessTokenNeverReachesClients() {
        graph.enqueue(Reply.error(401, 190, "Error validating access token"));
        try (WsClient ws = tenant.agent("alice")) {
            send(ws, Map.of("to", customer, "message", "x"));
            JsonNode error = ws.next("message_send_error");
            assertEquals(190, error.path("data").path("error").path("metaCode").asInt());
            assertFalse(error.toString().contains("secret-token"));
            JsonNode status = ws.ok("get_connection_status", Map.of()).path("data");
            assertFalse(status.toString().contains("secret-token"));
        }
    }

    @Test
    void readReceiptsAndTheTypingIndicatorReachMetaThroughTheOutbox() {
        String inboundWamid = db.string("select wa_message_id from message where id = $1", inbound.messageId());
        try (WsClient ws = tenant.agent("alice")) {
            ws.send("typing_start", Map.of("conversationId", conversationId()));
            FakeGraphApi.Request typing = graph.await("/messages", 1).get(0);
            assertEquals("read", typing.body().path("status").asText());
            assertEquals(inboundWamid, typing.body().path("message_id").asText());
            assertEquals("text", typing.body().path("typing_indicator").path("type").asText());

            graph.enqueue(Reply.error(503, 0, "unavailable")); // the read mark survives a Meta outage
            ws.send("message_read", Map.of("conversationId", conversationId(), "messageId",
                    inbound.messageId().toString()));
            List<FakeGraphApi.Request> calls = graph.await("/messages", 3);
            for (FakeGraphApi.Request read : calls.subList(1, 3)) {
                assertEquals("read", read.body().path("status").asText());
                assertEquals(inboundWamid, read.body().path("message_id").asText());
                assertFalse(read.body().has("typing_indicator"));
            }
            ws.ok("ping", Map.of());
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (db.count("select count(*) from outbox where tenant_id = $1", tenant.id()) > 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(0, db.count("select count(*) from outbox where tenant_id = $1", tenant.id()));
    }

    /** PROTOCOL.md 6.1: a first message goes from the number it names; a conversation keeps its number. */
    @Test
    void fromSendsAFirstMessageFromThatNumberAndAConversationKeepsItsNumber() {
        PhoneNumber second = seeder.phoneNumber(tenant.id());
        Map<String, Object> hello = Map.of("name", "hello_world", "language", "en_US");
        try (WsClient ws = tenant.agent("alice")) {
            // a first message to the customer from the second number opens a conversation with it
            String viaSecond = send(ws, Map.of("to", customer, "type", "template", "template", hello,
                    "from", second.phoneNumberId));
            FakeGraphApi.Request call = graph.await("/messages", 1).get(0);
            assertEquals("/v25.0/" + second.phoneNumberId + "/messages", call.path());
            assertEquals("Bearer secret-token-" + second.displayPhoneNumber, call.headers().get("Authorization"));
            String opened = db.string("select conversation_id::text from message where id = $1::uuid", viaSecond);
            assertFalse(conversationId().equals(opened));
            assertEquals(second.phoneNumberId, db.string("""
                    select p.phone_number_id from conversation c join phone_number p on p.id = c.phone_number_id
                     where c.id = $1::uuid""", opened));
            // from again, or the conversation named with its own number: the same conversation
            String again = send(ws, Map.of("to", customer, "type", "template", "template", hello,
                    "from", second.phoneNumberId));
            assertEquals(opened, db.string("select conversation_id::text from message where id = $1::uuid", again));
            send(ws, Map.of("to", customer, "message", "same number", "conversationId", conversationId(),
                    "from", tenant.number().phoneNumberId));
            // without from: the default number's conversation, as before
            String plain = send(ws, Map.of("to", customer, "message", "default number"));
            assertEquals(conversationId(), db.string("select conversation_id::text from message where id = $1::uuid",
                    plain));
            graph.await("/messages", 4);

            // an existing conversation cannot move to another number
            JsonNode moved = ws.request("send_message", Map.of("to", customer, "message", "moved",
                    "conversationId", conversationId(), "from", second.phoneNumberId));
            assertEquals("message_send_error", moved.path("event").asText(), moved.toString());
            assertEquals("bad_request", moved.path("data").path("error").path("code").asText());
            assertTrue(moved.path("data").path("messageId").isMissingNode());

            // a number that is not the tenant's, another tenant's or none at all, is not_found and opens nothing
            PhoneNumber foreign = seeder.phoneNumber(Seeder.tenant());
            for (String from : List.of(foreign.phoneNumberId, "pn-unknown")) {
                JsonNode refused = ws.request("send_message", Map.of("to", Seeder.number(), "type", "template",
                        "template", hello, "from", from));
                assertEquals("message_send_error", refused.path("event").asText(), refused.toString());
                assertEquals("not_found", refused.path("data").path("error").path("code").asText());
                JsonNode inConversation = ws.request("send_message", Map.of("to", customer, "message", "x",
                        "conversationId", conversationId(), "from", from));
                assertEquals("not_found", inConversation.path("data").path("error").path("code").asText());
            }
            ws.assertNo("message_sent", Duration.ofMillis(200));
        }
        assertEquals(4, graph.requests("/messages").size());
        assertEquals(2, db.count("select count(*) from conversation where tenant_id = $1", tenant.id()));
        assertEquals(0, db.count("""
                select count(*) from conversation c join phone_number p on p.id = c.phone_number_id
                 where c.tenant_id = $1 and p.tenant_id <> $1""", tenant.id()));
    }

    private String send(WsClient ws, Map<String, Object> request) {
        JsonNode answer = ws.ok("send_message", request);
        return answer.path("data").path("messageId").asText();
    }

    private String conversationId() {
        return inbound.conversationId().toString();
    }


}
