package io.wagateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.wagateway.config.ConfigKeys;
import jakarta.ws.rs.HttpMethod;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The OpenAPI document at /q/openapi: served without a token, valid JSON of OpenAPI 3, and it names
 * every JAX-RS resource method of the application (found by reflection over the compiled classes),
 * so that no endpoint can be added without appearing in it.
 */
@QuarkusTest
class OpenApiDocumentTest {

    private static final Path CLASSES = Path.of("target", "classes");

    @Test
    void everyResourceMethodIsInTheDocument() throws Exception {
        JsonNode doc = document();
        Set<String> documented = new TreeSet<>();
        doc.path("paths").fields().forEachRemaining(path -> path.getValue().fieldNames()
                .forEachRemaining(method -> documented.add(method.toUpperCase() + " " + path.getKey())));
        Set<String> endpoints = resourceMethods();
        assertTrue(endpoints.size() >= 15, endpoints.toString()); // the scan found the resources
        Set<String> missing = new TreeSet<>(endpoints);
        missing.removeAll(documented);
        assertTrue(missing.isEmpty(), "not in /q/openapi: " + missing);
        assertTrue(endpoints.contains("POST /api/v1/messages"), endpoints.toString());
        // and nothing else: the Graph API client interface is not an endpoint of the gateway
        Set<String> extra = new TreeSet<>(documented);
        extra.removeAll(endpoints);
        assertTrue(extra.isEmpty(), "documented but not served: " + extra);
    }

    @Test
    void schemasExamplesSecurityAndProblems() throws Exception {
        JsonNode doc = document();
        assertTrue(doc.path("openapi").asText().startsWith("3."), doc.path("openapi").asText());
        JsonNode scheme = doc.path("components").path("securitySchemes").path("bearer");
        assertEquals("http", scheme.path("type").asText());
        assertEquals("bearer", scheme.path("scheme").asText().toLowerCase());

        JsonNode send = doc.path("paths").path("/api/v1/messages").path("post");
        assertFalse(send.path("security").isEmpty(), "the send needs the bearer token: " + send);
        assertTrue(send.path("requestBody").path("content").path("application/json").path("examples").has("template"));
        JsonNode accepted = send.path("responses").path("202").path("content").path("application/json");
        assertTrue(accepted.path("examples").has("accepted"), accepted.toString());
        assertEquals("#/components/schemas/Problem", send.path("responses").path("422").path("content")
                .path("application/problem+json").path("schema").path("$ref").asText());
        assertTrue(send.path("parameters").toString().contains("Idempotency-Key"), send.toString());

        JsonNode schemas = doc.path("components").path("schemas");
        assertTrue(schemas.path("Problem").path("properties").has("code"));
        assertTrue(schemas.path("SendMessage").path("properties").has("to"), schemas.fieldNames().toString());
        assertTrue(schemas.has("Conversation") && schemas.has("Message") && schemas.has("Contact"));
        // the list answers carry their element schema
        JsonNode list = doc.path("paths").path("/api/v1/conversations").path("get").path("responses").path("200");
        assertFalse(list.isMissingNode(), doc.path("paths").path("/api/v1/conversations").toString());
        for (String status : new String[] {"400", "401", "403", "404"}) {
            assertTrue(doc.path("paths").path("/api/v1/conversations/{id}/messages").path("get").path("responses")
                    .has(status), status);
        }
        // the YAML form is served as well
        assertTrue(given().get("/q/openapi").then().statusCode(200).extract().asString().contains("openapi: 3."));
    }

    /**
     * Quarkus serves Swagger UI in dev and test mode; a production build includes it only with
     * always-include (ProductionSurfaceIT checks the packaged application answers 404).
     */
    @Test
    void swaggerUiIsLeftOutOfProductionBuilds() {
        assertEquals("false", ConfigKeys.property("quarkus.swagger-ui.always-include"));
    }

    @Test
    void theForwardingAdminApiIsDescribed() throws Exception {
        JsonNode doc = document();
        JsonNode forwarding = doc.path("paths").path("/api/admin/forwarding");
        String ref = forwarding.path("put").path("requestBody").path("content").path("application/json").path("schema")
                .path("$ref").asText();
        JsonNode request = doc.path("components").path("schemas").path(ref.substring(ref.lastIndexOf('/') + 1));
        for (String field : new String[] {"url", "events", "secret", "fromSeq"}) {
            assertTrue(request.path("properties").has(field), field + " in " + request);
        }
        assertTrue(request.path("required").toString().contains("secret"), request.toString());
        assertTrue(forwarding.path("delete").path("responses").has("204"), forwarding.toString());
        assertTrue(forwarding.path("put").path("responses").has("400"), forwarding.toString());
        JsonNode status = doc.path("paths").path("/api/admin/forwarding/status").path("get").path("responses")
                .path("200").path("content").path("application/json").path("schema");
        String statusRef = status.path("$ref").asText();
        JsonNode statusSchema = doc.path("components").path("schemas").path(statusRef.substring(statusRef.lastIndexOf('/') + 1));
        for (String field : new String[] {"lastDeliveredSeq", "lag", "lastError"}) {
            assertTrue(statusSchema.path("properties").has(field), field + " in " + statusSchema);
        }
    }

    private static JsonNode document() throws IOException {
        String body = given().accept("application/json").queryParam("format", "json").get("/q/openapi")
                .then().statusCode(200).extract().asString();
        return new ObjectMapper().readTree(body);
    }

    /** {@code METHOD /path} of every method of every concrete {@code @Path} class under io.wagateway. */
    private static Set<String> resourceMethods() throws IOException {
        Set<String> endpoints = new TreeSet<>();
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        try (Stream<Path> files = Files.walk(CLASSES.resolve("io/wagateway"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class") && !f.toString().contains("$")).toList()) {
                String name = CLASSES.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
                Class<?> type;
                try {
                    type = Class.forName(name, false, loader);
                } catch (ClassNotFoundException | LinkageError e) {
                    continue;
                }
                jakarta.ws.rs.Path root = type.getAnnotation(jakarta.ws.rs.Path.class);
                if (root == null || type.isInterface() || Modifier.isAbstract(type.getModifiers())) {
                    continue; // the Graph API's REST client interface is not served
                }
                for (Method method : type.getDeclaredMethods()) {
                    String verb = httpMethod(method);
                    if (verb == null) {
                        continue;
                    }
                    jakarta.ws.rs.Path sub = method.getAnnotation(jakarta.ws.rs.Path.class);
                    endpoints.add(verb + " " + join(root.value(), sub == null ? "" : sub.value()));
                }
            }
        }
        return endpoints;
    }

    private static String httpMethod(Method method) {
        for (Annotation annotation : method.getAnnotations()) {
            HttpMethod verb = annotation.annotationType().getAnnotation(HttpMethod.class);
            if (verb != null) {
                return verb.value();
            }
        }
        return null;
    }

    private static String join(String root, String sub) {
        String path = ("/" + root + "/" + sub).replaceAll("/+", "/");
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }
}
