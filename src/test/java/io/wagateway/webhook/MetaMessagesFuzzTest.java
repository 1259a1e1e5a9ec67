package io.wagateway.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wagateway.conversation.InboundMessage;
import io.wagateway.conversation.StatusUpdate;
import io.wagateway.fuzz.HostileJson;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes the reading of Meta's webhook items: whatever the item, {@code MetaMessages} either gives
 * something storable or refuses it with IllegalArgumentException (kept for replay). Any other
 * exception would fail the delivery with a 503 that Meta retries for days: a poison message.
 * Bounded here (jqwik's default tries); the long run: see README "Fuzzing".
 */
class MetaMessagesFuzzTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MESSAGE = """
            {"from":"15551234567","id":"wamid.A","timestamp":"1700000000","type":"text","text":{"body":"hi"},
             "context":{"id":"wamid.Q"},"errors":[{"code":131051}]}""";
    private static final String CONTACTS = """
            [{"wa_id":"15551234567","profile":{"name":"Ana"}}]""";
    private static final String STATUS = """
            {"id":"wamid.A","status":"delivered","timestamp":"1700000000","recipient_id":"15551234567",
             "biz_opaque_callback_data":"x","errors":[{"code":131026,"title":"Undeliverable"}]}""";

    @Provide
    Arbitrary<JsonNode> messages() throws Exception {
        return Arbitraries.oneOf(HostileJson.tree(4), HostileJson.mutated(JSON.readTree(MESSAGE)),
                Arbitraries.of("image", "audio", "video", "document", "sticker", "reaction", "location",
                        "interactive", "button", "contacts", "unsupported", "\u0000", "").flatMap(type -> {
                    try {
                        return HostileJson.mutated(JSON.readTree(MESSAGE.replace("\"type\":\"text\"",
                                "\"type\":" + JSON.writeValueAsString(type))));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }));
    }

    @Provide
    Arbitrary<JsonNode> contacts() throws Exception {
        return Arbitraries.oneOf(HostileJson.tree(3), HostileJson.mutated(JSON.readTree(CONTACTS)));
    }

    @Provide
    Arbitrary<JsonNode> statuses() throws Exception {
        return Arbitraries.oneOf(HostileJson.tree(4), HostileJson.mutated(JSON.readTree(STATUS)));
    }

    @Property
    void aMessageIsStorableOrRefusedAsUnreadable(@ForAll("messages") JsonNode message, @ForAll("contacts") JsonNode contacts) {
        InboundMessage m;
        try {
            m = MetaMessages.inbound(JSON, "pn-1", message, contacts);
        } catch (IllegalArgumentException refused) {
            return;
        }
        assertNotNull(m.waMessageId());
        assertNotNull(m.fromWaId());
        assertNotNull(m.type());
        assertStorable(m.waMessageId());
        assertStorable(m.fromWaId());
        assertStorable(m.type());
        assertStorable(m.content());
        assertStorable(m.profileName());
        assertStorable(m.replyTo());
        assertTrue(m.waMessageId().length() <= MetaMessages.MAX_ID_LENGTH, "an id fits its unique index");
        assertSane(m.timestamp());
        for (Object part : new Object[] {m.media(), m.reaction(), m.location(), m.extra(), m.error()}) {
            if (part != null) {
                assertJsonb(JSON.valueToTree(part));
            }
        }
    }

    @Property
    void aStatusIsStorableOrRefusedAsUnreadable(@ForAll("statuses") JsonNode status) {
        StatusUpdate s;
        try {
            s = MetaMessages.status(JSON, status);
        } catch (IllegalArgumentException refused) {
            return;
        }
        assertStorable(s.waMessageId());
        assertStorable(s.status());
        assertStorable(s.callbackData());
        assertSane(s.timestamp());
        if (s.error() != null) {
            assertJsonb(JSON.valueToTree(s.error()));
        }
    }

    /** PostgreSQL text refuses NUL. */
    private static void assertStorable(String value) {
        if (value != null) {
            assertTrue(value.indexOf('\u0000') < 0, () -> "NUL in " + value);
        }
    }

    /** jsonb refuses NUL in a key or a string. */
    private static void assertJsonb(JsonNode node) {
        if (node.isTextual()) {
            assertStorable(node.textValue());
        }
        node.fields().forEachRemaining(field -> {
            assertStorable(field.getKey());
            assertJsonb(field.getValue());
        });
        node.elements().forEachRemaining(MetaMessagesFuzzTest::assertJsonb);
    }

    /** Within what timestamptz holds, and what a conversation list can sort by. */
    private static void assertSane(Instant at) {
        assertNotNull(at);
        assertTrue(at.isAfter(Instant.parse("2000-01-01T00:00:00Z")) && at.isBefore(Instant.now().plusSeconds(86_400 * 2)),
                () -> "timestamp " + at);
    }
}
