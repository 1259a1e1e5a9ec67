package io.wagateway.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Values bound to jsonb parameters (as text, cast in SQL), serialized with the application's mapper. */
public final class JsonText {

    private JsonText() {
    }

    /** @return the JSON text, or null for null (SQL NULL) */
    public static String of(ObjectMapper json, Object value) {
        if (value == null) {
            return null;
        }
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not serializable as JSON", e);
        }
    }
}
