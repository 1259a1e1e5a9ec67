package io.wagateway.media;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wagateway.fanout.DurableEvent;
import io.wagateway.fanout.StalePayloads;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;

/**
 * Media URLs signed afresh in replayed events (PROTOCOL.md 6.4: "signed afresh each time a message is
 * read or pushed"): the stored payload holds the URL signed when the event was committed, which a
 * {@code resume} hours later would replay expired.
 */
@ApplicationScoped
public class MediaUrlRenewal implements StalePayloads {

    private static final String PATH = "/api/media/";

    private final MediaUrls urls;
    private final ObjectMapper json;

    public MediaUrlRenewal(MediaUrls urls, ObjectMapper json) {
        this.urls = urls;
        this.json = json;
    }

    @Override
    public List<DurableEvent> renew(List<DurableEvent> page) {
        List<DurableEvent> renewed = null;
        for (int i = 0; i < page.size(); i++) {
            DurableEvent event = page.get(i);
            if (!event.payloadJson().contains("\"" + PATH)) {
                continue;
            }
            if (renewed == null) {
                renewed = new ArrayList<>(page);
            }
            renewed.set(i, withFreshUrls(event));
        }
        return renewed == null ? page : renewed;
    }

    private DurableEvent withFreshUrls(DurableEvent event) {
        try {
            JsonNode payload = json.readTree(event.payloadJson());
            resign(payload, event.tenant());
            return new DurableEvent(event.tenant(), event.seq(), event.name(), event.audience(), event.conversationId(),
                    event.contactId(), event.userId(), json.writeValueAsString(payload), event.committedNanos(),
                    event.fromTable());
        } catch (JsonProcessingException e) {
            return event; // stored by the gateway as JSON: cannot happen; the old URL is the fallback
        }
    }

    /** Every {@code url} of the gateway's media, wherever in the payload (a message, a conversation's last message). */
    private void resign(JsonNode node, String tenant) {
        if (node instanceof ObjectNode object) {
            JsonNode url = object.get("url");
            if (url != null && url.isTextual() && url.textValue().startsWith(PATH)) {
                String rest = url.textValue().substring(PATH.length());
                int query = rest.indexOf('?');
                object.put("url", urls.url(tenant, query < 0 ? rest : rest.substring(0, query)));
            }
        }
        node.elements().forEachRemaining(child -> resign(child, tenant));
    }
}
