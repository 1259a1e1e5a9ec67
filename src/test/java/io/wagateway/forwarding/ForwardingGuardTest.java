package io.wagateway.forwarding;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import io.wagateway.support.Db;
import io.wagateway.support.EventReceiver;
import io.wagateway.support.Seeder;
import io.wagateway.support.TestTokens;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The SSRF guard switched on, as in production: loopback and private targets are refused. */
@QuarkusTest
@TestProfile(ForwardingGuardTest.GuardOn.class)
class ForwardingGuardTest {

    public static class GuardOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("app.forwarding.allow-private-targets", "false");
        }
    }

    private static final String PATH = "/api/admin/forwarding";
    private static final String SECRET = "a-shared-secret-of-the-host-app";

    @Inject
    Db db;

    @Inject
    Seeder seeder;

    private RequestSpecification admin(String tenant) {
        return given().auth().oauth2(TestTokens.admin(tenant, "root")).contentType(ContentType.JSON);
    }

    @Test
    void loopbackAndPrivateTargetsAreRefusedOnPut() {
        String tenant = Seeder.tenant();
        for (String url : new String[] {"http://127.0.0.1:8080/events", "http://localhost/events", "https://[::1]/x",
                "http://10.1.2.3/events", "http://192.168.0.10/", "http://169.254.169.254/latest/meta-data",
                "http://0.0.0.0:8080/", "http://[fd00::1]/"}) {
            admin(tenant).body(Map.of("url", url, "secret", SECRET)).put(PATH).then().statusCode(400)
                    .contentType("application/problem+json").body("code", equalTo("bad_request"))
                    .body("errors.field", hasItem("url")).body("detail", containsString("allow-private-targets"));
        }
        admin(tenant).get(PATH).then().statusCode(404);
        // a public address passes the guard (an IP literal: no DNS needed)
        admin(tenant).body(Map.of("url", "http://192.0.2.1:9/events", "secret", SECRET)).put(PATH).then()
                .statusCode(200);
        admin(tenant).delete(PATH).then().statusCode(204);
    }

    /** The guard is applied again at connect time: a target that got past the PUT is still refused. */
    @Test
    void aPrivateTargetIsRefusedAtConnectTimeToo() {
        String tenant = Seeder.tenant();
        seeder.phoneNumber(tenant);
        try (EventReceiver receiver = new EventReceiver()) {
            // as if the name had resolved to a public address when it was set
            db.count("""
                    with f as (insert into forwarding (tenant_id, url, secret, last_delivered_seq)
                               values ($1, $2, $3, 0) returning 1) select count(*) from f""",
                    tenant, receiver.url(), SECRET);
            db.count("with t as (update tenant set last_seq = 1 where id = $1 returning 1) select count(*) from t",
                    tenant);
            db.count("""
                    with e as (insert into event (tenant_id, seq, name, audience, payload)
                               values ($1, 1, 'new_message', 'MESSAGE', '{}') returning 1) select count(*) from e""",
                    tenant);
            await().atMost(Duration.ofSeconds(10)).until(() -> admin(tenant).get(PATH + "/status").then()
                    .extract().path("lastError") != null);
            String error = admin(tenant).get(PATH + "/status").then().statusCode(200).extract().path("lastError");
            assertTrue(error.startsWith("target refused: ") && error.contains("loopback"), error);
            assertTrue(receiver.all().isEmpty());
            admin(tenant).delete(PATH).then().statusCode(204);
        }
    }
}
