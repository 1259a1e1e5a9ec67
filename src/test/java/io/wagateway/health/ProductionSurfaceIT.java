package io.wagateway.health;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wagateway.support.AppProcess;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What Kubernetes and the log collector see of the packaged application (prod profile, JSON logs
 * on as in the prod overlay): no embedded PostgreSQL in it, the three probes, /q/metrics, JSON log
 * lines, and readiness, not liveness, failing when the database goes away.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProductionSurfaceIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    static EmbeddedPostgres postgres;
    static AppProcess app;

    @BeforeAll
    static void start() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        app = AppProcess.start("production-surface", postgres.getPort(),
                Map.of("QUARKUS_LOG_CONSOLE_JSON_ENABLED", "true")).awaitReady();
    }

    @AfterAll
    static void stop() throws Exception {
        if (app != null) {
            app.stop();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    @Order(0)
    void theArtifactCarriesNoEmbeddedPostgres() throws Exception {
        Path libraries = Path.of("target", "quarkus-app", "lib", "main");
        Assumptions.assumeTrue(!Boolean.getBoolean("it.native") && Files.isDirectory(libraries), "JVM artifact only");
        try (var jars = Files.list(libraries)) {
            List<String> embedded = jars.map(jar -> jar.getFileName().toString())
                    .filter(name -> name.startsWith("io.zonky.")).toList();
            assertEquals(List.of(), embedded, "dev and test only (quarkus.class-loading.removed-artifacts)");
        }
    }

    @Test
    @Order(1)
    void probesAndMetricsAnswer() throws Exception {
        assertEquals(200, get("/q/health/started").statusCode());
        assertEquals(200, get("/q/health/live").statusCode());
        HttpResponse<String> ready = get("/q/health/ready");
        assertEquals(200, ready.statusCode(), ready.body());
        assertEquals("UP", check(ready.body(), EventListenerCheck.NAME), ready.body());
        // Prometheus asks for text/plain among others and gets the 0.0.4 text format; a client that
        // asks for nothing in particular gets OpenMetrics text
        HttpResponse<String> metrics = HTTP.send(HttpRequest.newBuilder(app.base.resolve("/q/metrics"))
                .header("Accept", "application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.4")
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, metrics.statusCode());
        assertTrue(metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"),
                metrics.headers().toString());
        assertTrue(metrics.body().contains("\nwagateway_connections "), metrics.body());
        assertTrue(metrics.body().contains("\nwagateway_outbox_depth "), metrics.body());
        HttpResponse<String> openMetrics = get("/q/metrics");
        assertTrue(openMetrics.headers().firstValue("Content-Type").orElse("").startsWith("application/openmetrics-text"),
                openMetrics.headers().toString());
        assertTrue(openMetrics.body().contains("\nwagateway_connections "), openMetrics.body());
        // the OpenAPI document is public; Swagger UI is a dev-mode tool, not part of the production build
        assertEquals(200, get("/q/openapi").statusCode());
        assertTrue(get("/asyncapi.yaml").body().contains("asyncapi: 3.0.0"));
        assertEquals(404, get("/q/swagger-ui/").statusCode());
    }

    @Test
    @Order(2)
    void logLinesAreJsonObjects() throws Exception {
        List<String> lines = Files.readAllLines(app.log);
        String started = lines.stream().filter(l -> l.contains("started in")).findFirst()
                .orElseThrow(() -> new AssertionError("no start-up line in " + lines));
        JsonNode record = JSON.readTree(started);
        assertEquals("io.quarkus", record.path("loggerName").asText(), started);
        assertTrue(record.hasNonNull("level") && record.hasNonNull("timestamp"), started);
        long plain = lines.stream().filter(l -> l.matches("^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} (INFO|WARN|ERROR).*")).count();
        assertEquals(0, plain, "plain-text log lines with JSON logging on");
    }

    @Test
    @Order(3)
    void withoutTheDatabaseReadinessFailsAndLivenessHolds() throws Exception {
        postgres.close();
        postgres = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        HttpResponse<String> ready = get("/q/health/ready");
        while (ready.statusCode() == 200 && System.nanoTime() < deadline) {
            Thread.sleep(250);
            ready = get("/q/health/ready");
        }
        assertEquals(503, ready.statusCode(), ready.body());
        deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!"DOWN".equals(check(ready.body(), EventListenerCheck.NAME)) && System.nanoTime() < deadline) {
            Thread.sleep(250);
            ready = get("/q/health/ready");
        }
        assertEquals("DOWN", check(ready.body(), EventListenerCheck.NAME), ready.body());
        HttpResponse<String> live = get("/q/health/live");
        assertEquals(200, live.statusCode(), live.body());
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(app.base.resolve(path)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String check(String health, String name) throws Exception {
        for (JsonNode check : JSON.readTree(health).path("checks")) {
            if (name.equals(check.path("name").asText())) {
                return check.path("status").asText();
            }
        }
        return "absent";
    }
}
