package io.wagateway.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wagateway.conversation.InboundMessage;
import io.wagateway.conversation.StatusUpdate;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Meta's webhook items as the service stores them (whatsapp-cloud-api.md, webhook payloads). */
class MetaMessagesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode tree(String json) throws Exception {
        return JSON.readTree(json.replace('\'', '"'));
    }

    @Test
    void aTextMessageWithItsContactAndContext() throws Exception {
        InboundMessage m = MetaMessages.inbound(JSON, "pn-1", tree("""
                {'from':'15551234567','id':'wamid.A','timestamp':'1700000000','type':'text',
                 'text':{'body':'hello'},'context':{'id':'wamid.Q'}}"""), tree("""
                [{'wa_id':'15550000000','profile':{'name':'Other'}},{'wa_id':'15551234567','profile':{'name':'Ana'}}]"""));
        assertEquals("pn-1", m.phoneNumberId());
        assertEquals("15551234567", m.fromWaId());
        assertEquals("Ana", m.profileName());
        assertEquals("wamid.A", m.waMessageId());
        assertEquals(Instant.ofEpochSecond(1_700_000_000L), m.timestamp());
        assertEquals("text", m.type());
        assertEquals("hello", m.content());
        assertEquals("wamid.Q", m.replyTo());
    }

    @Test
    void mediaKeepsItsObjectAndCaptionAndNulCharactersAreDropped() throws Exception {
        InboundMessage m = MetaMessages.inbound(JSON, "pn-1", tree("""
                {'from':'1555','id':'wamid.B','timestamp':'1700000000','type':'image',
                 'image':{'id':'media-1','mime_type':'image/jpeg','caption':'a\\u0000b'}}"""), null);
        assertEquals("ab", m.content());
        assertEquals("media-1", m.media().get("id"));
        assertEquals("ab", m.media().get("caption"));
        assertNull(m.profileName());
    }

    @Test
    void interactiveRepliesUnsupportedMessagesAndHiddenNumbers() throws Exception {
        InboundMessage button = MetaMessages.inbound(JSON, "pn-1", tree("""
                {'from_user_id':'US.123','id':'wamid.C','timestamp':'x','type':'interactive',
                 'interactive':{'type':'button_reply','button_reply':{'id':'yes','title':'Yes'}}}"""), null);
        assertEquals("US.123", button.fromWaId(), "a business-scoped user id stands in for a hidden number");
        assertEquals("Yes", button.content());
        assertTrue(button.extra().containsKey("interactive"));
        assertTrue(Math.abs(button.timestamp().getEpochSecond() - Instant.now().getEpochSecond()) < 5,
                "an unreadable timestamp means now");

        InboundMessage unsupported = MetaMessages.inbound(JSON, "pn-1", tree("""
                {'from':'1555','id':'wamid.D','timestamp':'1700000000','type':'unsupported',
                 'errors':[{'code':131051,'title':'Message type unknown'}]}"""), null);
        assertEquals(131051, unsupported.error().get("code"));

        assertThrows(IllegalArgumentException.class, () -> MetaMessages.inbound(JSON, "pn-1",
                tree("{'id':'wamid.E','type':'text'}"), null));
    }

    @Test
    void statusesCarryTheCallbackDataAndMetasError() throws Exception {
        StatusUpdate failed = MetaMessages.status(JSON, tree("""
                {'id':'wamid.F','status':'FAILED','timestamp':'1700000001','recipient_id':'1555',
                 'biz_opaque_callback_data':'our-id','errors':[{'code':131047,'title':'Re-engagement message'}]}"""));
        assertEquals("failed", failed.status());
        assertEquals("our-id", failed.callbackData());
        assertEquals(131047, failed.error().get("code"));
        assertEquals(Instant.ofEpochSecond(1_700_000_001L), failed.timestamp());
        assertThrows(IllegalArgumentException.class, () -> MetaMessages.status(JSON, tree("{'id':'wamid.G'}")));
    }
}
