package io.wagateway.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;

/**
 * Reads only what the harness needs from a server frame, with Jackson's streaming parser, so that
 * the harness's own CPU stays small next to the service's on a shared 2-core machine (in the
 * default mode every client gets a conversation_updated per message). The service writes
 * durable frames as {"event":..,"seq":..,"data":..} (and answers as {"event","requestId",..});
 * parsing stops once event and seq are known, except for new_message, whose data.content is
 * needed. A frame in another field order is still handled: the caller gets null and parses the
 * whole tree.
 */
final class FrameParser {

    private static final JsonFactory FACTORY = new JsonFactory();

    /** The fields of one frame the harness looks at. */
    static final class Frame {
        String event;
        String requestId;
        long seq = -1;
        /** data.content of a new_message, else null. */
        String content;

        boolean durable() {
            return seq >= 0;
        }
    }

    private FrameParser() {
    }

    /** Null when the frame needs the full tree (an answer, or fields in an unexpected order). */
    static Frame parse(String text) {
        Frame frame = new Frame();
        try (JsonParser p = FACTORY.createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "event" -> frame.event = p.getText();
                    case "requestId" -> frame.requestId = p.getText();
                    case "seq" -> frame.seq = p.getLongValue();
                    case "data" -> {
                        if (frame.event == null || frame.requestId != null) {
                            return null;
                        }
                        if ("new_message".equals(frame.event) && value == JsonToken.START_OBJECT) {
                            frame.content = content(p);
                        }
                        return frame; // nothing after data is needed
                    }
                    default -> p.skipChildren();
                }
            }
            return frame.requestId == null && frame.event != null ? frame : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The same fields from a fully parsed frame (the slow path). */
    static Frame fromTree(JsonNode root) {
        Frame frame = new Frame();
        frame.event = root.path("event").asText(null);
        frame.requestId = root.hasNonNull("requestId") ? root.get("requestId").asText() : null;
        frame.seq = root.hasNonNull("seq") ? root.get("seq").asLong() : -1;
        if ("new_message".equals(frame.event)) {
            frame.content = root.path("data").path("content").asText(null);
        }
        return frame;
    }

    /** data.content at the first level of the data object. */
    private static String content(JsonParser p) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            if ("content".equals(field)) {
                return p.getValueAsString();
            }
            p.skipChildren();
        }
        return null;
    }
}
