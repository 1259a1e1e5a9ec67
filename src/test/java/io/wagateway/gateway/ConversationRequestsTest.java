package io.wagateway.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.wagateway.conversation.InboundMessageService;
import io.wagateway.support.Seeder;
import io.wagateway.support.Tenants;
import io.wagateway.support.TestTenant;
import io.wagateway.support.TestTokens;
import io.wagateway.support.WsClient;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The read requests and rooms, end to end against PostgreSQL, seeded through the services. */
@QuarkusTest
class ConversationRequestsTest {

    @TestHTTPResource("/")
    URI base;

    @Inject
    Vertx vertx;

    @Inject
    Seeder seeder;

    @Inject
    Tenants tenants;

    private TestTenant tenant;
    private final Instant start = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS);

    @BeforeEach
    void seed() {
        tenant = tenants.fresh(base);
    }

    @Test
    void getContactsSearchesAndPagesAlphabetically() {
        String[] names = {"Carla", "alice", "Bob", "dave", "Eve"};
        for (int i = 0; i < names.length; i++) {
            tenant.inbound(Seeder.number(), names[i], "hi", start.plusSeconds(i));
        }
        try (WsClient ws = tenant.agent("alice")) {
            JsonNode first = ws.ok("get_contacts", Map.of("limit", 2));
            assertEquals(List.of("alice", "Bob"), names(first.path("data")));
            JsonNode second = ws.ok("get_contacts", Map.of("limit", 2, "cursor", first.path("nextCursor").asText()));
            assertEquals(List.of("Carla", "dave"), names(second.path("data")));
            JsonNode last = ws.ok("get_contacts", Map.of("limit", 2, "cursor", second.path("nextCursor").asText()));
            assertEquals(List.of("Eve"), names(last.path("data")));
            assertTrue(last.path("nextCursor").isMissingNode());

            assertEquals(List.of("dave"), names(ws.ok("get_contacts", Map.of("search", "DAV")).path("data")));
            JsonNode contact = ws.ok("get_contacts", Map.of("search", "Eve")).path("data").get(0);
            String waId = contact.path("waId").asText();
            assertEquals(waId, contact.path("phoneNumber").asText());
            assertEquals(List.of("Eve"), names(ws.ok("get_contacts",
                    Map.of("search", "+" + waId.substring(0, 4) + " " + waId.substring(4))).path("data")));
            assertEquals(0, ws.ok("get_contacts", Map.of("search", "%")).path("data").size());

            JsonNode badCursor = ws.request("get_contacts", Map.of("cursor", "garbage"));
            assertEquals("bad_request", badCursor.path("data").path("error").path("code").asText());
        }
    }

    @Test
    void getConversationsNewestFirstWithFiltersAndPaging() {
        List<InboundMessageService.Result> seeded = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            seeded.add(tenant.inbound(Seeder.number(), "Customer " + i, "hello " + i, start.plusSeconds(i * 10L)));
        }
        try (WsClient ws = tenant.agent("alice")) {
            JsonNode page = ws.ok("get_conversations", Map.of("limit", 2));
            assertEquals(2, page.path("data").size());
            assertEquals(seeded.get(2).conversationId().toString(), page.path("data").get(0).path("id").asText());
            JsonNode first = page.path("data").get(0);
            assertEquals("Customer 2", first.path("contact").path("name").asText());
            assertEquals(tenant.number().displayPhoneNumber, first.path("businessNumber").asText());
            assertEquals(tenant.number().phoneNumberId, first.path("phoneNumberId").asText());
            assertEquals(1, first.path("unreadCount").asInt());
            assertEquals("open", first.path("status").asText());
            assertTrue(first.path("windowOpen").asBoolean());
            assertEquals("hello 2", first.path("lastMessage").path("content").asText());
            JsonNode rest = ws.ok("get_conversations", Map.of("limit", 2, "cursor", page.path("nextCursor").asText()));
            assertEquals(seeded.get(0).conversationId().toString(), rest.path("data").get(0).path("id").asText());
            assertEquals(1, rest.path("data").size());

            assertEquals(0, ws.ok("get_conversations", Map.of("status", "closed")).path("data").size());
            assertEquals(3, ws.ok("get_conversations", Map.of("status", "open")).path("data").size());
            assertEquals(0, ws.ok("get_conversations", Map.of("assignedTo", "nobody")).path("data").size());
        }
    }

    @Test
    void getMessagesPagesBackwardsInChronologicalPages() {
        String customer = Seeder.number();
        InboundMessageService.Result last = null;
        for (int i = 0; i < 5; i++) {
            last = tenant.inbound(customer, "Zed", "m" + i, start.plusSeconds(i));
        }
        try (WsClient ws = tenant.agent("alice")) {
            String conversationId = last.conversationId().toString();
            JsonNode newest = ws.ok("get_messages", Map.of("conversationId", conversationId, "limit", 2));
            assertEquals(List.of("m3", "m4"), contents(newest.path("data")));
            JsonNode message = newest.path("data").get(1);
            assertEquals("inbound", message.path("direction").asText());
            assertFalse(message.path("isOutgoing").asBoolean());
            assertEquals(customer, message.path("from").asText());
            assertEquals(tenant.number().displayPhoneNumber, message.path("to").asText());
            assertEquals("received", message.path("status").asText());
            assertEquals("text", message.path("type").asText());
            assertTrue(message.path("waMessageId").asText().startsWith("wamid."));

            JsonNode older = ws.ok("get_messages", Map.of("conversationId", conversationId, "limit", 2,
                    "before", newest.path("nextCursor").asText()));
            assertEquals(List.of("m1", "m2"), contents(older.path("data")));
            JsonNode oldest = ws.ok("get_messages", Map.of("conversationId", conversationId, "limit", 2,
                    "before", older.path("nextCursor").asText()));
            assertEquals(List.of("m0"), contents(oldest.path("data")));
            assertTrue(oldest.path("nextCursor").isMissingNode());

            JsonNode unknownAnchor = ws.request("get_messages", Map.of("conversationId", conversationId,
                    "before", "00000000-0000-0000-0000-000000000000"));
            assertEquals("not_found", unknownAnchor.path("data").path("error").path("code").asText());
        }
    }

    @Test
    void getMessagesBetweenAcceptsEitherOrderAndPlusAndCountsOffsetFromTheNewest() {
        String customer = Seeder.number();
        for (int i = 0; i < 4; i++) {
            tenant.inbound(customer, "Yan", "b" + i, start.plusSeconds(i));
        }
        try (WsClient ws = tenant.agent("alice")) {
            assertEquals(List.of("b0", "b1", "b2", "b3"), contents(ws.ok("get_messages_between",
                    Map.of("fromNumber", tenant.number().displayPhoneNumber, "toNumber", customer)).path("data")));
            assertEquals(List.of("b1", "b2"), contents(ws.ok("get_messages_between",
                    Map.of("fromNumber", "+" + customer, "toNumber", "+" + tenant.number().displayPhoneNumber,
                            "limit", 2, "offset", 1)).path("data")));
            assertEquals(0, ws.ok("get_messages_between",
                    Map.of("fromNumber", tenant.number().displayPhoneNumber, "toNumber", Seeder.number())).path("data").size());
            JsonNode notOurs = ws.request("get_messages_between",
                    Map.of("fromNumber", Seeder.number(), "toNumber", customer));
            assertEquals("not_found", notOurs.path("data").path("error").path("code").asText());
        }
    }

    @Test
    void getAgentsListsAgentsKnownFromTheirTokensWithOnlineState() throws InterruptedException {
        try (WsClient alice = tenant.agent("alice")) {
            try (WsClient bob = tenant.supervisor("bob")) {
                bob.ok("ping", Map.of());
            }
            // bob's user_offline may never come: a connection that opened and closed within one presence
            // batch is no change to announce (PresenceService coalesces), so ask until bob is known offline
            JsonNode agents = alice.ok("get_agents", Map.of()).path("data");
            long deadline = System.nanoTime() + WsClient.WAIT.toNanos();
            while ((agents.size() < 2 || agents.get(1).path("online").asBoolean()) && System.nanoTime() < deadline) {
                Thread.sleep(100);
                agents = alice.ok("get_agents", Map.of()).path("data");
            }
            assertEquals(2, agents.size(), agents.toString());
            JsonNode first = agents.get(0);
            assertEquals("alice", first.path("agentId").asText());
            assertEquals("Agent alice", first.path("name").asText());
            assertEquals("available", first.path("status").asText());
            assertTrue(first.path("online").asBoolean());
            assertFalse(agents.get(1).path("online").asBoolean());
        }
    }

    @Test
    void roomsReceiveNewMessagesAndOtherTenantsNever() {
        String customer = Seeder.number();
        InboundMessageService.Result first = tenant.inbound(customer, "Rae", "first", start);
        String conversationId = first.conversationId().toString();
        String otherTenant = Seeder.tenant();
        try (WsClient inRoom = tenant.agent("alice");
             WsClient general = tenant.agent("bob");
             WsClient customerRoom = tenant.agent("carol");
             WsClient notJoined = tenant.agent("dan");
             WsClient stranger = WsClient.connect(vertx, base, TestTokens.supervisor(otherTenant, "alice"))) {
            JsonNode joined = inRoom.ok("join_conversation", Map.of("conversationId", conversationId)).path("data");
            assertEquals(conversationId, joined.path("conversationId").asText());
            assertEquals("conversation:" + conversationId, joined.path("room").asText());
            assertEquals("whatsapp:general", general.ok("join_general", Map.of()).path("data").path("room").asText());
            JsonNode contact = customerRoom.ok("get_contacts", Map.of("search", "Rae")).path("data").get(0);
            customerRoom.ok("join_customer", Map.of("customerId", contact.path("id").asText()));
            stranger.ok("join_general", Map.of());

            tenant.inbound(customer, "Rae", "second", start.plusSeconds(5));

            for (WsClient ws : List.of(inRoom, general, customerRoom)) {
                JsonNode pushed = ws.next("new_message");
                assertEquals("second", pushed.path("data").path("content").asText());
                assertTrue(pushed.path("seq").asLong() > 0);
                assertEquals(conversationId, pushed.path("data").path("conversationId").asText());
            }
            // conversation_updated goes where new_message goes (PROTOCOL.md 6.2): not to a connection in no room
            for (WsClient ws : List.of(inRoom, general, customerRoom)) {
                assertEquals(2, ws.next("conversation_updated").path("data").path("unreadCount").asInt());
            }
            notJoined.assertNo("new_message", Duration.ofMillis(300));
            notJoined.assertNo("conversation_updated", Duration.ofMillis(100));
            stranger.assertNo("new_message", Duration.ofMillis(300));
            stranger.assertNo("conversation_updated", Duration.ofMillis(100));

            inRoom.ok("leave_conversation", Map.of("conversationId", conversationId));
            customerRoom.ok("leave_customer", Map.of("customerId", contact.path("id").asText()));
            tenant.inbound(customer, "Rae", "third", start.plusSeconds(6));
            assertEquals("third", general.next("new_message").path("data").path("content").asText());
            inRoom.assertNo("new_message", Duration.ofMillis(300));
            customerRoom.assertNo("new_message", Duration.ofMillis(100));
        }
    }

    @Test
    void anotherTenantsConversationContactAndNumberAreNotFound() {
        InboundMessageService.Result theirs = tenant.inbound(Seeder.number(), "Private", "secret", start);
        String contactId;
        try (WsClient owner = tenant.agent("alice")) {
            contactId = owner.ok("get_contacts", Map.of()).path("data").get(0).path("id").asText();
        }
        try (WsClient ws = WsClient.connect(vertx, base, TestTokens.supervisor(Seeder.tenant(), "eve"))) {
            String conversationId = theirs.conversationId().toString();
            for (var request : List.of(
                    Map.entry("join_conversation", Map.of("conversationId", conversationId)),
                    Map.entry("leave_conversation", Map.of("conversationId", conversationId)),
                    Map.entry("get_messages", Map.of("conversationId", conversationId)),
                    Map.entry("join_customer", Map.of("customerId", contactId)),
                    Map.entry("join_conversation", Map.of("conversationId", "not-a-uuid")))) {
                JsonNode answer = ws.request(request.getKey(), request.getValue());
                assertFalse(answer.path("data").path("success").asBoolean(true), answer.toString());
                assertEquals("not_found", answer.path("data").path("error").path("code").asText(), answer.toString());
                assertFalse(answer.toString().contains("secret"));
            }
            JsonNode between = ws.request("get_messages_between",
                    Map.of("fromNumber", tenant.number().displayPhoneNumber, "toNumber", "15550000000"));
            assertEquals("not_found", between.path("data").path("error").path("code").asText());
            assertEquals(0, ws.ok("get_contacts", Map.of()).path("data").size());
            assertEquals(0, ws.ok("get_conversations", Map.of()).path("data").size());
        }
    }

    @Test
    void redeliveredInboundMessageChangesNothing() {
        var message = io.wagateway.conversation.InboundMessage.text(tenant.number().phoneNumberId, Seeder.number(), "Dup",
                "wamid.dup-" + java.util.UUID.randomUUID(), start, "once");
        assertEquals(InboundMessageService.Outcome.STORED, seeder.inbound(message).outcome());
        InboundMessageService.Result again = seeder.inbound(message);
        assertEquals(InboundMessageService.Outcome.DUPLICATE, again.outcome());
        assertTrue(again.events().isEmpty());
        try (WsClient ws = tenant.agent("alice")) {
            JsonNode conversation = ws.ok("get_conversations", Map.of()).path("data").get(0);
            assertEquals(1, conversation.path("unreadCount").asInt());
        }
    }

    /** PROTOCOL.md 6.2: update_conversation, a durable conversation_updated where new_message goes. */
    @Test
    void anAgentClosesAConversationAndTheCustomersNextMessageReopensIt() {
        String customer = Seeder.number();
        String conversationId = tenant.inbound(customer, "Uma", "help", start).conversationId().toString();
        try (WsClient agent = tenant.agent("alice");
             WsClient general = tenant.agent("bob");
             WsClient notJoined = tenant.agent("dan")) {
            general.ok("join_general", Map.of());

            JsonNode answer = agent.request("update_conversation", Map.of("conversationId", conversationId,
                    "status", "closed"));
            assertEquals("conversation_updated_response", answer.path("event").asText(), answer.toString());
            assertTrue(answer.path("data").path("success").asBoolean(), answer.toString());
            JsonNode closed = answer.path("data").path("data").path("conversation");
            assertEquals(conversationId, closed.path("id").asText());
            assertEquals("closed", closed.path("status").asText());
            assertEquals("help", closed.path("lastMessage").path("content").asText());

            JsonNode pushed = general.next("conversation_updated");
            assertTrue(pushed.path("seq").asLong() > 0, pushed.toString());
            assertEquals("closed", pushed.path("data").path("status").asText());
            notJoined.assertNo("conversation_updated", Duration.ofMillis(300));
            assertEquals(List.of(conversationId), ids(agent.ok("get_conversations", Map.of("status", "closed"))));
            assertEquals(0, agent.ok("get_conversations", Map.of("status", "open")).path("data").size());

            // the status it has already: answered, nothing announced
            JsonNode again = agent.ok("update_conversation", Map.of("conversationId", conversationId, "status", "closed"));
            assertEquals("closed", again.path("data").path("conversation").path("status").asText());
            general.assertNo("conversation_updated", Duration.ofMillis(300));

            // the customer writes again: the conversation is open again, and its audience is told so
            tenant.inbound(customer, "Uma", "one more thing", start.plusSeconds(10));
            assertEquals("one more thing", general.next("new_message").path("data").path("content").asText());
            JsonNode reopened = general.next("conversation_updated");
            assertEquals("open", reopened.path("data").path("status").asText());
            assertTrue(reopened.path("seq").asLong() > pushed.path("seq").asLong());
            assertEquals(List.of(conversationId), ids(agent.ok("get_conversations", Map.of("status", "open"))));

            // and an agent can reopen one by hand too
            agent.ok("update_conversation", Map.of("conversationId", conversationId, "status", "closed"));
            assertEquals("closed", general.next("conversation_updated").path("data").path("status").asText());
            agent.ok("update_conversation", Map.of("conversationId", conversationId, "status", "open"));
            assertEquals("open", general.next("conversation_updated").path("data").path("status").asText());
        }
    }

    @Test
    void updateConversationRefusesAnotherTenantsConversationAndBadStatuses() {
        String conversationId = tenant.inbound(Seeder.number(), "Vic", "mine", start).conversationId().toString();
        try (WsClient stranger = WsClient.connect(vertx, base, TestTokens.supervisor(Seeder.tenant(), "eve"))) {
            for (String id : List.of(conversationId, "00000000-0000-0000-0000-000000000000", "not-a-uuid")) {
                JsonNode answer = stranger.request("update_conversation", Map.of("conversationId", id,
                        "status", "closed"));
                assertEquals("conversation_updated_response", answer.path("event").asText(), answer.toString());
                assertEquals("not_found", answer.path("data").path("error").path("code").asText());
                assertFalse(answer.toString().contains("Vic"));
            }
        }
        try (WsClient ws = tenant.agent("alice")) {
            for (Map<String, Object> bad : List.<Map<String, Object>>of(
                    Map.of("conversationId", conversationId, "status", "archived"),
                    Map.of("conversationId", conversationId),
                    Map.of("status", "closed"),
                    Map.of("conversationId", conversationId, "status", 1))) {
                JsonNode answer = ws.request("update_conversation", bad);
                assertEquals("error", answer.path("event").asText(), answer.toString());
                assertEquals("bad_request", answer.path("data").path("code").asText(), answer.toString());
            }
            JsonNode conversation = ws.ok("get_conversations", Map.of()).path("data").get(0);
            assertEquals("open", conversation.path("status").asText(), "a refused change changed nothing");
        }
    }

    private static List<String> ids(JsonNode answer) {
        List<String> ids = new ArrayList<>();
        answer.path("data").forEach(c -> ids.add(c.path("id").asText()));
        return ids;
    }

    private static List<String> names(JsonNode contacts) {
        List<String> names = new ArrayList<>();
        contacts.forEach(c -> names.add(c.path("name").asText()));
        return names;
    }

    private static List<String> contents(JsonNode messages) {
        List<String> contents = new ArrayList<>();
        messages.forEach(m -> contents.add(m.path("content").asText()));
        return contents;
    }
}
