package io.wagateway.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;

/**
 * Generators of hostile JSON for the fuzz tests: random trees whose keys are mostly the field names
 * the gateway reads (so that the parsers get past their first checks), with the values an attacker or
 * a broken client sends: wrong types, huge and negative numbers, long strings, NUL and lone surrogates,
 * deep nesting; and valid documents with one value replaced by such a value.
 */
public final class HostileJson {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** Field names of Meta's webhooks and of the client protocol. */
    static final List<String> FIELDS = List.of("object", "entry", "id", "changes", "field", "value",
            "messaging_product", "metadata", "phone_number_id", "display_phone_number", "contacts", "profile",
            "name", "wa_id", "user_id", "messages", "statuses", "from", "from_user_id", "timestamp", "type", "text",
            "body", "image", "audio", "video", "document", "sticker", "mime_type", "sha256", "caption", "filename",
            "reaction", "message_id", "emoji", "location", "latitude", "longitude", "interactive", "button_reply",
            "list_reply", "title", "button", "payload", "context", "errors", "code", "status", "recipient_id",
            "biz_opaque_callback_data", "conversation", "pricing", "event", "data", "requestId", "to", "message",
            "conversationId", "clientMessageId", "replyTo", "template", "media", "lastSeq", "limit", "cursor",
            "search", "agentId", "isTyping", "upToMessageId", "phoneNumberId", "language", "components");

    private HostileJson() {
    }

    /** A hostile scalar. */
    public static Arbitrary<JsonNode> scalar() {
        return Arbitraries.oneOf(
                Arbitraries.just(NODES.nullNode()),
                Arbitraries.of(true, false).map(NODES::booleanNode),
                Arbitraries.integers().map(NODES::numberNode),
                Arbitraries.longs().map(NODES::numberNode),
                Arbitraries.bigIntegers().between(BigInteger.TEN.pow(30).negate(), BigInteger.TEN.pow(30))
                        .map(NODES::numberNode),
                Arbitraries.of(new BigDecimal("1e400"), new BigDecimal("-1e-400"), new BigDecimal("0.1"),
                        new BigDecimal("99999999999999999999999")).map(NODES::numberNode),
                Arbitraries.doubles().map(NODES::numberNode),
                strings().map(NODES::textNode));
    }

    /** Strings an attacker picks: empty, NUL, lone surrogates, long, numeric-looking, field-looking. */
    public static Arbitrary<String> strings() {
        return Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(40),
                Arbitraries.strings().all().ofMaxLength(20),
                Arbitraries.of("", " ", "\u0000", "a\u0000b", "\uD800", "\uDFFF", "\uD83D\uDC4D", "null", "true",
                        "-1", "0", "1e309", "99999999999999999999", "9223372036854775808", "1700000000",
                        "text", "image", "contacts", "interactive", "reaction", "location", "unsupported",
                        "sent", "delivered", "read", "failed", "../../etc/passwd", "<script>alert(1)</script>",
                        "' or 1=1 --", "%00", "\\u0000"),
                Arbitraries.strings().withCharRange('a', 'z').ofLength(5_000),
                Arbitraries.strings().withCharRange('0', '9').ofMinLength(1).ofMaxLength(30),
                Arbitraries.of(FIELDS));
    }

    /** A random tree up to {@code depth} levels, objects keyed mostly by {@link #FIELDS}. */
    public static Arbitrary<JsonNode> tree(int depth) {
        if (depth <= 0) {
            return scalar();
        }
        Arbitrary<JsonNode> child = Arbitraries.lazy(() -> tree(depth - 1));
        Arbitrary<String> key = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(8, Arbitraries.of(FIELDS)), net.jqwik.api.Tuple.of(1, strings()));
        Arbitrary<JsonNode> object = Combinators.combine(key.list().ofMaxSize(6), child.list().ofMaxSize(6))
                .as((keys, values) -> {
                    ObjectNode node = NODES.objectNode();
                    for (int i = 0; i < Math.min(keys.size(), values.size()); i++) {
                        node.set(keys.get(i), values.get(i));
                    }
                    return (JsonNode) node;
                });
        Arbitrary<JsonNode> array = child.list().ofMaxSize(5).map(values -> {
            ArrayNode node = NODES.arrayNode();
            values.forEach(node::add);
            return (JsonNode) node;
        });
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(2, scalar()), net.jqwik.api.Tuple.of(5, object),
                net.jqwik.api.Tuple.of(2, array));
    }

    /** Nesting far deeper than any real document: parsers must refuse it without a stack overflow. */
    public static Arbitrary<String> deeplyNested() {
        return Arbitraries.integers().between(500, 5_000).map(depth -> "[".repeat(depth) + "]".repeat(depth));
    }

    /** {@code valid} with the value at one of its paths replaced by a hostile tree (structure-aware mutation). */
    public static Arbitrary<JsonNode> mutated(JsonNode valid) {
        List<String> paths = paths(valid, "");
        return Combinators.combine(Arbitraries.of(paths), tree(2)).as((path, replacement) -> {
            JsonNode copy = valid.deepCopy();
            int cut = path.lastIndexOf('/');
            JsonNode parent = cut <= 0 ? copy : copy.at(path.substring(0, cut));
            String last = path.substring(cut + 1);
            if (parent instanceof ObjectNode object) {
                object.set(last, replacement);
            } else if (parent instanceof ArrayNode array) {
                array.set(Integer.parseInt(last), replacement);
            }
            return copy;
        });
    }

    private static List<String> paths(JsonNode node, String at) {
        List<String> paths = new java.util.ArrayList<>();
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> {
                String path = at + "/" + e.getKey();
                paths.add(path);
                paths.addAll(paths(e.getValue(), path));
            });
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                paths.add(at + "/" + i);
                paths.addAll(paths(node.get(i), at + "/" + i));
            }
        }
        return paths;
    }
}
