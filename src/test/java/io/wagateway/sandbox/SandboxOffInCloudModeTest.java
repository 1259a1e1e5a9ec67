package io.wagateway.sandbox;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.restassured.RestAssured.given;

/** Outside sandbox mode the development token endpoint does not exist. */
@QuarkusTest
@TestProfile(SandboxOffInCloudModeTest.CloudMode.class)
class SandboxOffInCloudModeTest {

    public static class CloudMode implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("app.whatsapp.mode", "cloud");
        }
    }

    @Test
    void tokenEndpointIsNotFound() {
        given().queryParam("user", "x").get("/api/sandbox/token").then().statusCode(404);
    }
}
