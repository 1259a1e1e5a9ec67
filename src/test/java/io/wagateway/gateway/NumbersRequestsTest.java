package io.wagateway.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.wagateway.conversation.InboundMessageService;
import io.wagateway.phonenumber.NumberStateService;
import io.wagateway.phonenumber.PhoneNumber;
import io.wagateway.phonenumber.PhoneNumberService;
import io.wagateway.support.Seeder;
import io.wagateway.support.Tenants;
import io.wagateway.support.TestTenant;
import io.wagateway.support.WsClient;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several numbers per tenant (PROTOCOL.md 6.1) and templates (6.3) in sandbox mode: get_numbers,
 * the optional phoneNumberId of the number requests and of get_conversations, whatsapp_status_update
 * naming its number, and the sandbox's approved templates.
 */
@QuarkusTest
class NumbersRequestsTest {

    @TestHTTPResource("/")
    URI base;

    @Inject
    Tenants tenants;

    @Inject
    Seeder seeder;

    @Inject
    PhoneNumberService phoneNumbers;

    @Inject
    NumberStateService numberStates;

    private TestTenant tenant;
    private PhoneNumber second;
    private PhoneNumber foreign;

    @BeforeEach
    void seed() {
        tenant = tenants.fresh(base);
        second = seeder.phoneNumber(tenant.id());
        foreign = seeder.phoneNumber(Seeder.tenant());
    }

    @Test
    void getNumbersListsTheTenantsNumbersDefaultFirst() {
        try (WsClient ws = tenant.agent("alice")) {
            JsonNode answer = ws.ok("get_numbers", Map.of());
            assertTrue(answer.path("lastSeq").isIntegralNumber(), answer.toString());
            JsonNode numbers = answer.path("data");
            assertEquals(2, numbers.size(), numbers.toString());
            JsonNode first = numbers.get(0);
            assertEquals(tenant.number().phoneNumberId, first.path("phoneNumberId").asText());
            assertEquals(tenant.number().displayPhoneNumber, first.path("displayPhoneNumber").asText());
            assertEquals("Acme Support", first.path("verifiedName").asText());
            assertTrue(first.path("connected").asBoolean());
            assertEquals("connected", first.path("connectionState").asText());
            assertTrue(first.path("canSendMessage").asBoolean());
            assertTrue(first.path("default").asBoolean());
            assertEquals(second.phoneNumberId, numbers.get(1).path("phoneNumberId").asText());
            assertFalse(numbers.get(1).path("default").asBoolean(true));
            assertFalse(numbers.toString().contains("secret-token"), "the access token is write-only");
            assertFalse(numbers.toString().contains(foreign.phoneNumberId));
        }
    }

    @Test
    void numberRequestsTakeAPhoneNumberIdOfTheTenantAndDefaultToTheFirst() {
        try (WsClient ws = tenant.agent("alice")) {
            JsonNode byDefault = ws.ok("get_connection_status", Map.of()).path("data");
            assertEquals(tenant.number().phoneNumberId, byDefault.path("phoneNumberId").asText());
            assertEquals(tenant.number().displayPhoneNumber, byDefault.path("phoneNumber").asText());
            JsonNode named = ws.ok("get_connection_status", Map.of("phoneNumberId", second.phoneNumberId)).path("data");
            assertEquals(second.phoneNumberId, named.path("phoneNumberId").asText());
            assertEquals(second.displayPhoneNumber, named.path("phoneNumber").asText());

            JsonNode qr = ws.ok("get_qr_code", Map.of("phoneNumberId", second.phoneNumberId, "prefilledMessage", "Hi"))
                    .path("data");
            assertTrue(qr.path("code").asText().startsWith("SBX"), qr.toString());
            JsonNode defaultQr = ws.ok("get_qr_code", Map.of()).path("data");
            assertFalse(qr.path("code").asText().equals(defaultQr.path("code").asText()), "one code per number");

            // another tenant's number and an unknown one look the same
            for (String number : List.of(foreign.phoneNumberId, "pn-unknown")) {
                for (String event : List.of("get_connection_status", "get_qr_code", "get_templates")) {
                    JsonNode refused = ws.request(event, Map.of("phoneNumberId", number));
                    assertFalse(refused.path("data").path("success").asBoolean(true), refused.toString());
                    assertEquals("not_found", refused.path("data").path("error").path("code").asText(), event);
                    assertFalse(refused.toString().contains(foreign.displayPhoneNumber));
                }
            }
        }
    }

    @Test
    void getConversationsFiltersByTheTenantsNumber() {
        InboundMessageService.Result viaDefault = tenant.inbound(Seeder.number(), "Ann", "hi", Instant.now());
        InboundMessageService.Result viaSecond = seeder.inbound(second, Seeder.number(), "Ben", "hello", Instant.now());
        try (WsClient ws = tenant.agent("alice")) {
            assertEquals(2, ws.ok("get_conversations", Map.of()).path("data").size());
            JsonNode onSecond = ws.ok("get_conversations", Map.of("phoneNumberId", second.phoneNumberId)).path("data");
            assertEquals(1, onSecond.size());
            assertEquals(viaSecond.conversationId().toString(), onSecond.get(0).path("id").asText());
            assertEquals(second.phoneNumberId, onSecond.get(0).path("phoneNumberId").asText());
            JsonNode onDefault = ws.ok("get_conversations", Map.of("phoneNumberId", tenant.number().phoneNumberId,
                    "status", "open")).path("data");
            assertEquals(List.of(viaDefault.conversationId().toString()), List.of(onDefault.get(0).path("id").asText()));
            assertEquals(1, onDefault.size());

            JsonNode foreignNumber = ws.request("get_conversations", Map.of("phoneNumberId", foreign.phoneNumberId));
            assertEquals("not_found", foreignNumber.path("data").path("error").path("code").asText());
        }
    }

    @Test
    void whatsappStatusUpdateNamesItsNumber() throws Throwable {
        try (WsClient ws = tenant.agent("alice")) {
            ws.ok("ping", Map.of());
            VertxContextSupport.subscribeAndAwait(() -> numberStates.apply(second.wabaId, second.displayPhoneNumber,
                    "FLAGGED", "YELLOW", "PHONE_NUMBER_QUALITY_UPDATE"));
            JsonNode pushed = ws.next("whatsapp_status_update").path("data");
            assertEquals(second.phoneNumberId, pushed.path("phoneNumberId").asText());
            assertEquals(second.displayPhoneNumber, pushed.path("phoneNumber").asText());
            assertEquals("YELLOW", pushed.path("qualityRating").asText());
            JsonNode listed = ws.ok("get_numbers", Map.of()).path("data").get(1);
            assertEquals("YELLOW", listed.path("qualityRating").asText());
            assertEquals("flagged", listed.path("connectionState").asText());
        }
    }

    @Test
    void theSandboxAnswersApprovedTemplatesAndSearchFiltersThem() throws Throwable {
        try (WsClient ws = tenant.agent("alice")) {
            JsonNode answer = ws.ok("get_templates", Map.of());
            assertTrue(answer.path("lastSeq").isIntegralNumber(), answer.toString());
            JsonNode templates = answer.path("data");
            assertEquals(2, templates.size(), templates.toString());
            JsonNode hello = templates.get(0);
            assertEquals("hello_world", hello.path("name").asText());
            assertEquals("en_US", hello.path("language").asText());
            assertEquals("UTILITY", hello.path("category").asText());
            assertEquals("BODY", hello.path("components").get(1).path("type").asText());
            JsonNode update = templates.get(1);
            assertEquals("order_update", update.path("name").asText());
            assertTrue(update.path("components").get(0).path("text").asText().contains("{{1}}"));

            JsonNode found = ws.ok("get_templates", Map.of("phoneNumberId", second.phoneNumberId, "search", "ORDER"))
                    .path("data");
            assertEquals(1, found.size());
            assertEquals("order_update", found.get(0).path("name").asText());
            assertEquals(1, ws.ok("get_templates", Map.of("search", "order update")).path("data").size());
            assertEquals(0, ws.ok("get_templates", Map.of("search", "nothing like it")).path("data").size());

            // Meta lists templates per WhatsApp Business Account: without its id there is nothing to ask
            String noWaba = "pn-" + UUID.randomUUID();
            VertxContextSupport.subscribeAndAwait(() -> phoneNumbers.register(tenant.id(),
                    new PhoneNumberService.Registration(noWaba, null, Seeder.number(), null, "token")));
            JsonNode unavailable = ws.request("get_templates", Map.of("phoneNumberId", noWaba));
            assertEquals("templates_response", unavailable.path("event").asText());
            assertEquals("unavailable", unavailable.path("data").path("error").path("code").asText());
            assertTrue(unavailable.path("data").path("error").path("message").asText().contains("wabaId"));

            JsonNode tooLong = ws.request("get_templates", Map.of("search", "x".repeat(201)));
            assertEquals("error", tooLong.path("event").asText());
            assertEquals("bad_request", tooLong.path("data").path("code").asText());
        }
    }
}
