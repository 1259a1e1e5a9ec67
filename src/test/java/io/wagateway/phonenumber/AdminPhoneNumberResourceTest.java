package io.wagateway.phonenumber;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.wagateway.support.Seeder;
import io.wagateway.support.TestTokens;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.containsString;

@QuarkusTest
class AdminPhoneNumberResourceTest {

    private static final String PATH = "/api/admin/phone-numbers";

    @Test
    void adminRegistersAndListsOwnNumbersWithoutEverSeeingTheToken() {
        String tenant = Seeder.tenant();
        String admin = TestTokens.admin(tenant, "root");
        String metaId = "pn-" + UUID.randomUUID();
        given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("phoneNumberId", metaId, "wabaId", "waba-9", "displayPhoneNumber", "+1 555-010-2030",
                        "accessToken", "EAAG-super-secret"))
                .post(PATH)
                .then().statusCode(201)
                .body("phoneNumberId", equalTo(metaId))
                .body("displayPhoneNumber", equalTo("15550102030"))
                .body("hasAccessToken", equalTo(true))
                .body(not(containsString("EAAG-super-secret")));
        given().auth().oauth2(admin).get(PATH)
                .then().statusCode(200)
                .body("$", hasSize(1))
                .body("[0].phoneNumberId", equalTo(metaId))
                .body(not(containsString("EAAG-super-secret")));
        // another tenant's admin sees nothing and cannot take the number over
        String other = TestTokens.admin(Seeder.tenant(), "root");
        given().auth().oauth2(other).get(PATH).then().statusCode(200).body("$", hasSize(0));
        given().auth().oauth2(other).contentType(ContentType.JSON)
                .body(Map.of("phoneNumberId", metaId, "displayPhoneNumber", "15550000001"))
                .post(PATH).then().statusCode(403);
    }

    @Test
    void refusesCallersWithoutAdminRoleOrToken() {
        String tenant = Seeder.tenant();
        given().get(PATH).then().statusCode(401);
        given().auth().oauth2(TestTokens.expired(tenant, "root")).get(PATH).then().statusCode(401);
        given().auth().oauth2(TestTokens.foreignKey(tenant, "root")).get(PATH).then().statusCode(401);
        given().auth().oauth2(TestTokens.supervisor(tenant, "boss")).get(PATH).then().statusCode(403);
        given().auth().oauth2(TestTokens.agent(tenant, "a")).contentType(ContentType.JSON)
                .body(Map.of("phoneNumberId", "pn-x", "displayPhoneNumber", "15550000002"))
                .post(PATH).then().statusCode(403);
    }

    @Test
    void refusesInvalidBodies() {
        String admin = TestTokens.admin(Seeder.tenant(), "root");
        given().auth().oauth2(admin).contentType(ContentType.JSON).body(Map.of("displayPhoneNumber", "1555"))
                .post(PATH).then().statusCode(400);
        given().auth().oauth2(admin).contentType(ContentType.JSON)
                .body(Map.of("phoneNumberId", "pn-" + UUID.randomUUID(), "displayPhoneNumber", "no digits"))
                .post(PATH).then().statusCode(400);
        given().auth().oauth2(admin).contentType(ContentType.JSON).body("{not json")
                .post(PATH).then().statusCode(400);
    }
}
