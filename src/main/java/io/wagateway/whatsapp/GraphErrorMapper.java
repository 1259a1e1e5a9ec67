package io.wagateway.whatsapp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.rest.client.ext.ResponseExceptionMapper;

/** Turns Meta's error JSON into a {@link MetaError}: decisions are made on {@code code}, not on text. */
public class GraphErrorMapper implements ResponseExceptionMapper<MetaError> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public MetaError toThrowable(Response response) {
        String body;
        try {
            body = response.readEntity(String.class);
        } catch (RuntimeException e) {
            body = null;
        }
        return parse(response.getStatus(), body);
    }

    static MetaError parse(int status, String body) {
        try {
            JsonNode error = body == null ? null : JSON.readTree(body).path("error");
            if (error != null && error.isObject()) {
                JsonNode data = error.path("error_data");
                String details = data.isTextual() ? data.asText() : data.path("details").asText(null);
                return new MetaError(status, error.path("code").asInt(0), error.path("message").asText("Graph API error"),
                        details);
            }
        } catch (Exception ignored) {
            // not JSON: fall through
        }
        return new MetaError(status, 0, "Graph API answered HTTP " + status, null);
    }

    @Override
    public boolean handles(int status, MultivaluedMap<String, Object> headers) {
        return status >= 400;
    }
}
