package io.wagateway.template;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * One entry of {@code templates_response} (PROTOCOL.md 6.3): an approved template as Meta describes
 * it. {@code components} is Meta's array as-is ({@code HEADER}, {@code BODY} with its {@code {{n}}}
 * parameters and {@code example}, {@code FOOTER}, {@code BUTTONS}), so that a client builds the
 * {@code template} of {@code send_message} from what Meta will check it against.
 */
@RegisterForReflection
public record Template(String name, String language, String category, JsonNode components) {

    static Template of(JsonNode meta) {
        return new Template(meta.path("name").asText(null), meta.path("language").asText(null),
                meta.path("category").asText(null), meta.path("components"));
    }
}
