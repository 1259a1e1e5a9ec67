package io.wagateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import io.wagateway.support.Db;
import io.wagateway.support.Seeder;
import io.wagateway.support.Tenants;
import io.wagateway.support.TestTenant;
import io.wagateway.support.TestTokens;
import io.wagateway.support.Webhooks;
import io.wagateway.webhook.WebhookFailureStore;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Instant;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Webhook items that could not be stored: kept for the tenant that owns their number, listed and
 * replayed by its admins only, replays idempotent; items for numbers no tenant owns only counted.
 */
@QuarkusTest
class WebhookFailuresApiTest {

    private static final String PROBLEM = "application/problem+json";

    @TestHTTPResource("/")
    URI base;

    @Inject
    Tenants tenants;

    @Inject
    Db db;

    @Inject
    WebhookFailureStore store;

    @Inject
    ObjectMapper json;

    private TestTenant tenant;
    private TestTenant other;

    @BeforeEach
    void seed() {
        tenant = tenants.fresh(base);
        other = tenants.fresh(base);
    }

    private RequestSpecification admin(TestTenant of) {
        return given().auth().oauth2(TestTokens.admin(of.id(), "root")).accept(ContentType.JSON);
    }

    @Test
    void anUnreadableItemIsListedForItsTenantsAdminsOnly() {
        String from = Seeder.number();
        // a message without an id cannot be stored; the other message of the delivery is
        Webhooks.post(Webhooks.delivery(Webhooks.change(tenant.number().phoneNumberId, tenant.number().displayPhoneNumber,
                        "\"messages\":[{\"from\":\"" + from + "\",\"timestamp\":\"1\",\"type\":\"text\"},"
                                + Webhooks.textMessage(from, Webhooks.wamid(), "fine", Instant.now()) + "]")))
                .then().statusCode(200);

        long id = admin(tenant).get("/api/admin/webhook-failures").then().statusCode(200)
                .body("data", hasSize(1))
                .body("data[0].phoneNumberId", equalTo(tenant.number().phoneNumberId))
                .body("data[0].error", startsWith("message without id"))
                .body("data[0].receivedAt", notNullValue())
                .body("data[0].replayedAt", nullValue())
                .extract().jsonPath().getLong("data[0].id");
        admin(other).get("/api/admin/webhook-failures").then().statusCode(200).body("data", hasSize(0));
        admin(other).post("/api/admin/webhook-failures/{id}/replay", id).then().statusCode(404)
                .contentType(PROBLEM).body("code", equalTo("not_found"));
        given().auth().oauth2(TestTokens.supervisor(tenant.id(), "sue")).get("/api/admin/webhook-failures")
                .then().statusCode(403);
        given().get("/api/admin/webhook-failures").then().statusCode(401);

        // still unreadable: answered as such, not kept a second time
        admin(tenant).post("/api/admin/webhook-failures/{id}/replay", id).then().statusCode(200)
                .body("result", equalTo("failed")).body("error", startsWith("message without id"))
                .body("replayedAt", nullValue());
        assertEquals(1, db.count("select count(*) from webhook_failure where tenant_id = $1", tenant.id()));
        admin(tenant).post("/api/admin/webhook-failures/{id}/replay", 0).then().statusCode(404);
        admin(tenant).post("/api/admin/webhook-failures/{id}/replay", "abc").then().statusCode(404);
    }

    @Test
    void aReplayStoresTheItemOnceHoweverOftenItRuns() throws Throwable {
        // kept by a version that could not read it; this one can
        String from = Seeder.number();
        String wamid = Webhooks.wamid();
        JsonNode delivery = json.readTree(Webhooks.text(tenant.number().phoneNumberId, tenant.number().displayPhoneNumber,
                from, "Ray", wamid, "from the backlog"));
        VertxContextSupport.subscribeAndAwait(() -> store.insert(new WebhookFailureStore.Failed("unknown type",
                tenant.number().phoneNumberId, delivery, delivery.at("/entry/0/changes/0/value/messages/0"))));
        long id = admin(tenant).get("/api/admin/webhook-failures").then().statusCode(200)
                .extract().jsonPath().getLong("data[0].id");

        admin(tenant).post("/api/admin/webhook-failures/{id}/replay", id).then().statusCode(200)
                .body("id", equalTo((int) id)).body("result", equalTo("stored")).body("replayedAt", notNullValue());
        admin(tenant).post("/api/admin/webhook-failures/{id}/replay", id).then().statusCode(200)
                .body("result", equalTo("duplicate"));
        assertEquals(1, db.count("select count(*) from message where wa_message_id = $1", wamid));
        assertEquals("Ray", db.string("""
                select ct.name from message m join conversation c on c.id = m.conversation_id
                  join contact ct on ct.id = c.contact_id where m.wa_message_id = $1""", wamid));
        admin(tenant).get("/api/admin/webhook-failures").then().body("data[0].replayedAt", notNullValue());
    }

    @Test
    void pagesNewestFirst() throws Throwable {
        for (int i = 0; i < 3; i++) {
            JsonNode item = json.createObjectNode().put("n", i);
            VertxContextSupport.subscribeAndAwait(() -> store.insert(new WebhookFailureStore.Failed("reason " + item.get("n"),
                    tenant.number().phoneNumberId, null, item)));
        }
        String next = admin(tenant).queryParam("limit", 2).get("/api/admin/webhook-failures").then().statusCode(200)
                .body("data.error", equalTo(List.of("reason 2", "reason 1"))).body("nextCursor", notNullValue())
                .extract().path("nextCursor");
        admin(tenant).queryParam("limit", 2).queryParam("cursor", next).get("/api/admin/webhook-failures").then()
                .statusCode(200).body("data.error", equalTo(List.of("reason 0"))).body("nextCursor", nullValue());
        admin(tenant).queryParam("cursor", "x").get("/api/admin/webhook-failures").then().statusCode(400)
                .contentType(PROBLEM).body("errors.field", hasItem("cursor"));
        admin(tenant).queryParam("limit", 0).get("/api/admin/webhook-failures").then().statusCode(400)
                .body("errors.field", hasItem("limit"));
    }

    @Test
    void itemsForANumberNoTenantOwnsAreCountedNotKept() {
        String unknown = "pn-nobody-" + Seeder.number();
        double before = unknownNumberItems();
        Webhooks.post(Webhooks.text(unknown, "15559999999", Seeder.number(), "N", Webhooks.wamid(), "hi"))
                .then().statusCode(200);
        assertEquals(0, db.count("select count(*) from webhook_failure where phone_number_id = $1", unknown));
        assertTrue(unknownNumberItems() >= before + 1);
    }

    private static double unknownNumberItems() {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        return metrics.lines().filter(l -> l.startsWith("wagateway_webhook_items_total{")
                        && l.contains("result=\"unknown_number\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
}
