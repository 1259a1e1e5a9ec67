package io.wagateway.outbound;

import io.wagateway.protocol.ClientEvent.SendMessage;
import io.wagateway.protocol.ErrorCode;
import io.wagateway.protocol.ProtocolException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** send_message's refusals, decided before anything is stored or Meta is called. */
class SendChecksTest {

    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

    private static SendMessage send(String to, String type, String conversationId) {
        return send(to, type, conversationId, null);
    }

    private static SendMessage send(String to, String type, String conversationId, String from) {
        return new SendMessage(to, "hi", type, conversationId, null, null, null, null, null, null, from);
    }

    private static final List<String> NUMBERS = List.of("pn-1", "pn-2");

    private static SendTarget target(UUID id, String waId, Instant lastInboundAt) {
        return new SendTarget(id, UUID.randomUUID(), waId, "Ana", null, "open", 0, lastInboundAt, NOW,
                UUID.randomUUID(), "pn-1", "15550001111", "token", NOW);
    }

    private static ErrorCode refusal(Runnable check) {
        return assertThrows(ProtocolException.class, check::run).code();
    }

    @Test
    void theRecipientIsSixToFifteenDigitsWhateverItsFormatting() {
        assertEquals("15551234567", SendChecks.recipient(send("+1 (555) 123-4567", null, null)));
        assertEquals(ErrorCode.BAD_REQUEST, refusal(() -> SendChecks.recipient(send("12345", null, null))));
        assertEquals(ErrorCode.BAD_REQUEST, refusal(() -> SendChecks.recipient(send("1234567890123456", null, null))));
    }

    @Test
    void aNamedConversationMustBeTheTenantsAndTheRecipientsOwn() {
        UUID id = UUID.randomUUID();
        SendTarget ana = target(id, "15551234567", NOW);
        Map<UUID, SendTarget> byId = Map.of(id, ana);
        assertSame(ana, SendChecks.target(send("15551234567", null, id.toString()), "15551234567", NUMBERS, byId, Map.of()));
        assertEquals(ErrorCode.BAD_REQUEST, refusal(() -> SendChecks.target(send("15559999999", null, id.toString()),
                "15559999999", NUMBERS, byId, Map.of())));
        assertEquals(ErrorCode.NOT_FOUND, refusal(() -> SendChecks.target(send("15551234567", null,
                UUID.randomUUID().toString()), "15551234567", NUMBERS, byId, Map.of())));
        assertEquals(ErrorCode.NOT_FOUND, refusal(() -> SendChecks.target(send("15551234567", null, "not-a-uuid"),
                "15551234567", NUMBERS, byId, Map.of())));
    }

    @Test
    void withoutAConversationTheRecipientsOneIsUsedAndATenantWithoutNumberIsRefused() {
        SendTarget ana = target(UUID.randomUUID(), "15551234567", NOW);
        assertSame(ana, SendChecks.target(send("15551234567", null, null), "15551234567", NUMBERS, Map.of(),
                Map.of(new SendStore.Recipient("pn-1", "15551234567"), ana)));
        assertEquals(ErrorCode.NOT_FOUND, refusal(() -> SendChecks.target(send("15551234567", null, null),
                "15551234567", List.of(), Map.of(), Map.of())));
    }

    @Test
    void fromPicksTheTenantsNumberOfAFirstMessageAndCannotMoveAConversation() {
        SendTarget ana = target(UUID.randomUUID(), "15551234567", NOW); // with pn-1
        SendTarget viaSecond = target(UUID.randomUUID(), "15551234567", NOW);
        Map<SendStore.Recipient, SendTarget> byRecipient = Map.of(new SendStore.Recipient("pn-1", "15551234567"), ana,
                new SendStore.Recipient("pn-2", "15551234567"), viaSecond);
        assertEquals("pn-1", SendChecks.sender(send("15551234567", null, null), NUMBERS));
        assertEquals("pn-2", SendChecks.sender(send("15551234567", null, null, "pn-2"), NUMBERS));
        assertSame(viaSecond, SendChecks.target(send("15551234567", null, null, "pn-2"), "15551234567", NUMBERS,
                Map.of(), byRecipient));
        assertEquals(ErrorCode.NOT_FOUND, refusal(() -> SendChecks.sender(send("15551234567", null, null, "pn-other"),
                NUMBERS)));

        Map<UUID, SendTarget> byId = Map.of(ana.conversationId(), ana);
        String id = ana.conversationId().toString();
        assertSame(ana, SendChecks.target(send("15551234567", null, id, "pn-1"), "15551234567", NUMBERS, byId, Map.of()));
        assertEquals(ErrorCode.BAD_REQUEST, refusal(() -> SendChecks.target(send("15551234567", null, id, "pn-2"),
                "15551234567", NUMBERS, byId, Map.of())));
        assertEquals(ErrorCode.NOT_FOUND, refusal(() -> SendChecks.target(send("15551234567", null, id, "pn-other"),
                "15551234567", NUMBERS, byId, Map.of())));
    }

    @Test
    void outsideTheTwentyFourHourWindowOnlyTemplatesGo() {
        SendTarget recent = target(UUID.randomUUID(), "1555", NOW.minus(Duration.ofHours(23)));
        SendTarget old = target(UUID.randomUUID(), "1555", NOW.minus(Duration.ofHours(25)));
        SendTarget silent = target(UUID.randomUUID(), "1555", null);
        SendChecks.window(send("1555", null, null), recent, NOW);
        SendChecks.window(send("1555", "template", null), old, NOW);
        SendChecks.window(send("1555", "template", null), silent, NOW);
        assertEquals(ErrorCode.OUTSIDE_WINDOW, refusal(() -> SendChecks.window(send("1555", "text", null), old, NOW)));
        assertEquals(ErrorCode.OUTSIDE_WINDOW, refusal(() -> SendChecks.window(send("1555", "image", null), silent,
                NOW)));
    }

    @Test
    void aReactionNamesTheMessageItReactsTo() throws Exception {
        var reaction = new com.fasterxml.jackson.databind.ObjectMapper().readTree("{\"messageId\":\"m-1\",\"emoji\":\"x\"}");
        assertEquals("m-1", SendChecks.reactionTarget(new SendMessage("1555", null, "reaction", null, null, null, null,
                null, reaction, null, null)));
        assertNull(SendChecks.reactionTarget(send("1555", "text", null)));
    }
}
