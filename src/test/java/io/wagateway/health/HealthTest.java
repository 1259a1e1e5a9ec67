package io.wagateway.health;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The probes the Kubernetes manifests point at (deployment/base/deployment.yaml). */
@QuarkusTest
class HealthTest {

    @Test
    void readinessChecksTheDatabaseAndTheEventListener() {
        // the listener connects asynchronously after start-up
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200));
        List<Map<String, Object>> checks = checks("/q/health/ready");
        assertEquals("UP", status(checks, EventListenerCheck.NAME), checks.toString());
        assertTrue(checks.stream().anyMatch(c -> name(c).contains("Reactive PostgreSQL")), checks.toString());
        assertTrue(checks.stream().anyMatch(c -> name(c).contains("Database connections")), checks.toString());
    }

    @Test
    void livenessDependsOnNoExternalSystem() {
        given().get("/q/health/live").then().statusCode(200);
        List<Map<String, Object>> checks = checks("/q/health/live");
        assertTrue(checks.stream().noneMatch(c -> name(c).contains("PostgreSQL") || name(c).contains("Database")
                || name(c).equals(EventListenerCheck.NAME)), checks.toString());
    }

    @Test
    void startupProbeAnswers() {
        given().get("/q/health/started").then().statusCode(200);
    }

    @Test
    void eventListenerCheckIsDownWhileTheListenerIsNot() {
        var down = new EventListenerCheck(new FakeBus(false)).call();
        assertEquals(EventListenerCheck.NAME, down.getName());
        assertEquals(org.eclipse.microprofile.health.HealthCheckResponse.Status.DOWN, down.getStatus());
        assertEquals(org.eclipse.microprofile.health.HealthCheckResponse.Status.UP,
                new EventListenerCheck(new FakeBus(true)).call().getStatus());
    }

    private static List<Map<String, Object>> checks(String path) {
        return JsonPath.from(given().get(path).then().extract().asString()).getList("checks");
    }

    private static String name(Map<String, Object> check) {
        return String.valueOf(check.get("name"));
    }

    private static String status(List<Map<String, Object>> checks, String name) {
        return checks.stream().filter(c -> name.equals(name(c))).map(c -> String.valueOf(c.get("status")))
                .findFirst().orElse("absent");
    }

    private record FakeBus(boolean listening) implements io.wagateway.fanout.EventBus {
        @Override
        public void ring(String tenant, long seq) {
        }

        @Override
        public void publish(io.wagateway.fanout.Ephemeral event) {
        }

        @Override
        public void publish(io.wagateway.fanout.PresenceChange change) {
        }

        @Override
        public void listen(Listener listener) {
        }
    }
}
