package io.wagateway.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.wagateway.protocol.ServerEvent;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The AsyncAPI document at /asyncapi.yaml (served without a token) names exactly the client events
 * the gateway registers and the server events it sends: the answers of the registered requests,
 * the durable events ({@link ServerEvent}) and every frame the code builds by name.
 */
@QuarkusTest
class AsyncApiDocumentTest {

    /** The first argument of a frame built by name: {@code ServerFrame.push("x", ...)}, {@code new ServerFrame("x", ...)}. */
    private static final Pattern FRAME = Pattern.compile("(?:ServerFrame\\.(?:push|success)|new ServerFrame)\\(([^,]*),");
    /** TypingService names its events where it publishes them. */
    private static final Pattern TYPING = Pattern.compile("publish\\(key, \"([a-z_]+)\"\\)");
    private static final Pattern LITERAL = Pattern.compile("\"([a-z]+(?:_[a-z]+)*)\"");

    @Inject
    RequestDispatcher dispatcher;

    @Test
    void theDocumentsEventsAreTheCodes() throws Exception {
        JsonNode doc = document();
        assertEquals("3.0.0", doc.path("asyncapi").asText());
        assertEquals(new TreeSet<>(dispatcher.events()), messagesOf(doc, "receiveClientEvents"));
        assertEquals(serverEvents(), messagesOf(doc, "sendServerEvents"));
    }

    @Test
    void envelopeSecurityAndCloseCodes() throws Exception {
        JsonNode doc = document();
        assertEquals("ws", doc.path("servers").path("gateway").path("protocol").asText());
        assertEquals("/ws", doc.path("channels").path("ws").path("address").asText());
        assertEquals("bearer", doc.path("components").path("securitySchemes").path("bearer").path("scheme").asText());
        assertTrue(doc.path("components").path("schemas").has("ClientEnvelope"));
        assertTrue(doc.path("components").path("schemas").has("ServerEnvelope"));
        for (String code : new String[] {"1001", "1008", "1009", "4001", "4008", "4403"}) {
            assertTrue(doc.path("info").path("x-close-codes").has(code), code);
        }
        // every message has a payload whose event is its name
        doc.path("components").path("messages").fields().forEachRemaining(m -> assertEquals(m.getKey(),
                m.getValue().path("payload").path("allOf").get(1).path("properties").path("event").path("const").asText()));
    }

    private static JsonNode document() throws IOException {
        String yaml = given().get("/asyncapi.yaml").then().statusCode(200).extract().asString();
        return new YAMLMapper().readTree(yaml);
    }

    /** The names of the messages an operation lists (references into the channel, then the components). */
    private static Set<String> messagesOf(JsonNode doc, String operation) {
        Set<String> names = new TreeSet<>();
        for (JsonNode ref : doc.path("operations").path(operation).path("messages")) {
            String key = ref.path("$ref").asText().replaceFirst("^#/channels/ws/messages/", "");
            String component = doc.path("channels").path("ws").path("messages").path(key).path("$ref").asText()
                    .replaceFirst("^#/components/messages/", "");
            names.add(doc.path("components").path("messages").path(component).path("name").asText());
        }
        return names;
    }

    private Set<String> serverEvents() throws Exception {
        Set<String> events = new TreeSet<>(dispatcher.answers());
        for (Class<?> type : ServerEvent.class.getPermittedSubclasses()) {
            RecordComponent[] components = type.getRecordComponents();
            Class<?>[] types = new Class<?>[components.length];
            for (int i = 0; i < components.length; i++) {
                types[i] = components[i].getType();
            }
            ServerEvent empty = (ServerEvent) type.getDeclaredConstructor(types).newInstance(new Object[components.length]);
            events.add(empty.name());
        }
        try (Stream<Path> files = Files.walk(Path.of("src", "main", "java"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String source = Files.readString(file);
                Matcher frame = FRAME.matcher(source);
                while (frame.find()) {
                    Matcher literal = LITERAL.matcher(frame.group(1));
                    while (literal.find()) {
                        events.add(literal.group(1));
                    }
                }
                Matcher typing = TYPING.matcher(source);
                while (typing.find()) {
                    events.add(typing.group(1));
                }
            }
        }
        assertTrue(events.contains("user_typing") && events.contains("user_online") && events.contains("error"),
                events.toString());
        return events;
    }
}
