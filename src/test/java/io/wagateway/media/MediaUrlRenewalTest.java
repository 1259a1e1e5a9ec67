package io.wagateway.media;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wagateway.fanout.Audience;
import io.wagateway.fanout.DurableEvent;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A resume replays media URLs signed afresh, not the expired ones the events were stored with. */
class MediaUrlRenewalTest {

    private static final byte[] SECRET = "a-secret-of-at-least-32-characters!!".getBytes(StandardCharsets.UTF_8);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void replayedEventsCarryFreshUrlsAndOthersAreLeftAsTheyAre() throws Exception {
        Instant stored = Instant.parse("2026-12-01T08:00:00Z");
        MediaUrls then = new MediaUrls(SECRET, Duration.ofHours(1), Clock.fixed(stored, ZoneOffset.UTC));
        MediaUrls now = new MediaUrls(SECRET, Duration.ofHours(1), Clock.fixed(stored.plus(Duration.ofHours(5)), ZoneOffset.UTC));
        String tenant = "t-1";
        UUID media = UUID.randomUUID();
        String old = then.url(tenant, media.toString());
        String message = "{\"id\":\"m1\",\"type\":\"image\",\"media\":{\"id\":\"" + media + "\",\"status\":\"available\","
                + "\"url\":\"" + old + "\"}}";
        DurableEvent withMedia = new DurableEvent(tenant, 7, "new_message", Audience.CONVERSATION_ROOM, UUID.randomUUID(),
                UUID.randomUUID(), null, message);
        DurableEvent lastMessage = new DurableEvent(tenant, 8, "conversation_updated", Audience.CONVERSATION_ROOM,
                UUID.randomUUID(), UUID.randomUUID(), null, "{\"id\":\"c1\",\"lastMessage\":" + message + "}");
        DurableEvent plain = new DurableEvent(tenant, 9, "new_message", Audience.CONVERSATION_ROOM, UUID.randomUUID(),
                UUID.randomUUID(), null, "{\"id\":\"m2\",\"type\":\"text\",\"content\":\"/api/media/x\"}");

        List<DurableEvent> renewed = new MediaUrlRenewal(now, JSON).renew(List.of(withMedia, lastMessage, plain));

        assertEquals(MediaUrls.Check.EXPIRED, now.check(tenant, media, sig(old)));
        JsonNode first = JSON.readTree(renewed.get(0).payloadJson());
        assertEquals(MediaUrls.Check.VALID, now.check(tenant, media, sig(first.at("/media/url").asText())));
        assertEquals("available", first.at("/media/status").asText());
        JsonNode second = JSON.readTree(renewed.get(1).payloadJson());
        assertEquals(MediaUrls.Check.VALID, now.check(tenant, media, sig(second.at("/lastMessage/media/url").asText())));
        assertEquals(7, renewed.get(0).seq());
        assertEquals(plain.payloadJson(), renewed.get(2).payloadJson()); // a text that only mentions the path is left alone
        assertEquals(MediaUrls.Check.FORGED, now.check("t-2", media, sig(first.at("/media/url").asText())));
    }

    private static String sig(String url) {
        return url.substring(url.indexOf("?sig=") + 5);
    }
}
