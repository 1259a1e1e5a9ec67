package io.wagateway.forwarding;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.util.KeyUtils;
import io.wagateway.support.AppProcess;
import io.wagateway.support.EventReceiver;
import io.wagateway.support.Webhooks;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.LongStream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Event forwarding with two replicas of the packaged application on one PostgreSQL: the tenant's
 * cursor and lease are shared, so each event reaches the receiver once in the normal case; after a
 * replica crashes with a POST in flight, the other one sends that event again, with the same seq.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ForwardingReplicasIT {

    static final String TENANT = "fwd-" + UUID.randomUUID().toString().substring(0, 8);
    static final String PHONE_NUMBER_ID = "pn-fwd";
    static final String DISPLAY = "15550004321";
    static final String SECRET = "the-host-applications-secret";
    static final ObjectMapper JSON = new ObjectMapper();
    static final Map<String, String> ENV = Map.of("APP_WHATSAPP_TENANT", TENANT,
            "APP_WHATSAPP_PHONE_NUMBER_ID", PHONE_NUMBER_ID, "APP_WHATSAPP_DISPLAY_PHONE_NUMBER", DISPLAY,
            "APP_WHATSAPP_WABA_ID", "waba-fwd",
            // the receiver runs on this machine; production refuses loopback targets
            "APP_FORWARDING_ALLOW_PRIVATE_TARGETS", "true",
            "APP_FORWARDING_POLL_INTERVAL", "100ms",
            // a crashed replica's tenants are taken over this long after its last delivery
            "APP_FORWARDING_LEASE", "3s",
            "APP_FORWARDING_REQUEST_TIMEOUT", "2s");

    static EmbeddedPostgres postgres;
    static AppProcess a;
    static AppProcess b;
    static EventReceiver receiver;
    static final List<AppProcess> started = new ArrayList<>();
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        a = instance("forwarding-a");
        b = instance("forwarding-b");
        a.awaitReady();
        b.awaitReady();
        receiver = new EventReceiver();
    }

    static AppProcess instance(String name) throws Exception {
        AppProcess instance = AppProcess.start(name, postgres.getPort(), ENV);
        started.add(instance);
        return instance;
    }

    @AfterAll
    static void stop() throws Exception {
        for (AppProcess instance : started) {
            instance.stop();
        }
        if (receiver != null) {
            receiver.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    static String adminToken() throws Exception {
        return Jwt.issuer(AppProcess.ISSUER).subject("root").groups(Set.of("admin")).claim("tenant", TENANT)
                .expiresAt(Instant.now().plusSeconds(600)).sign(KeyUtils.readPrivateKey("dev-keys/jwt-private.pem"));
    }

    static HttpResponse<String> call(AppProcess instance, String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(instance.base.resolve(path))
                .header("Authorization", "Bearer " + adminToken()).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode status(AppProcess instance) throws Exception {
        HttpResponse<String> response = call(instance, "GET", "/api/admin/forwarding/status", null);
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }

    /** The tenant's current seq, as the status says it (lastDeliveredSeq + lag). */
    static long lastSeq(AppProcess instance) throws Exception {
        JsonNode status = status(instance);
        return status.path("lastDeliveredSeq").asLong() + status.path("lag").asLong();
    }

    static void ingest(int messages, AppProcess... targets) throws Exception {
        for (int i = 0; i < messages; i++) {
            AppProcess target = targets[i % targets.length];
            assertEquals(200, target.postWebhook(Webhooks.text(PHONE_NUMBER_ID, DISPLAY, "1555888100" + (i % 4), "C",
                    Webhooks.wamid(), "m" + i)));
        }
    }

    @Test
    @Order(1)
    void bothReplicasForwardAndEachSeqReachesTheReceiverOnceInOrder() throws Exception {
        HttpResponse<String> put = call(a, "PUT", "/api/admin/forwarding",
                JSON.writeValueAsString(Map.of("url", receiver.url(), "secret", SECRET)));
        assertEquals(200, put.statusCode(), put.body());
        long start = JSON.readTree(put.body()).path("lastDeliveredSeq").asLong();

        ingest(40, a, b);
        long last = lastSeq(b);
        assertTrue(last - start >= 80, "two events per message at least: " + (last - start));
        await().atMost(Duration.ofSeconds(30)).until(() -> status(a).path("lag").asLong() == 0
                && receiver.acceptedSeqs().size() >= last - start);
        // a little longer: a second copy of anything would arrive now
        Thread.sleep(500);
        assertEquals(LongStream.rangeClosed(start + 1, last).boxed().toList(), receiver.acceptedSeqs());
        assertEquals(receiver.all().size(), receiver.accepted().size(), "no POST failed");
        receiver.accepted().forEach(d -> assertTrue(d.signedWith(SECRET)));
        // every replica reports the lag, from its first read of it (app.forwarding.metrics-interval, 10 s)
        await().atMost(Duration.ofSeconds(30)).until(() -> http.send(HttpRequest.newBuilder(b.base.resolve("/q/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString()).body()
                .contains("wagateway_forwarding_lag_events{tenant=\"" + TENANT + "\"}"));
    }

    @Test
    @Order(2)
    void afterACrashWithAPostInFlightTheOtherReplicaResendsItWithTheSameSeq() throws Exception {
        // only A forwards when the next event comes, so that A is the replica to crash
        b.stop();
        long before = lastSeq(a);
        receiver.hangOnSeq = before + 1;
        ingest(1, a);
        assertTrue(receiver.awaitHanging(Duration.ofSeconds(15)), "A never POSTed seq " + (before + 1));
        AppProcess c = instance("forwarding-c");
        c.awaitReady();
        a.kill(); // with the POST of seq before+1 unanswered: its cursor never moved
        receiver.release();

        ingest(2, c);
        long last = lastSeq(c);
        await().atMost(Duration.ofSeconds(30)).until(() -> status(c).path("lag").asLong() == 0);
        List<EventReceiver.Delivery> after = receiver.all().stream().filter(d -> d.seq() > before).toList();
        EventReceiver.Delivery lost = after.get(0);
        EventReceiver.Delivery resent = after.get(1);
        assertEquals(before + 1, lost.seq());
        assertEquals(0, lost.answered(), "the first copy was never answered");
        assertEquals(before + 1, resent.seq(), "the duplicate carries the same seq");
        assertTrue(Arrays.equals(lost.raw(), resent.raw()), "and the same body");
        assertTrue(resent.signedWith(SECRET));
        // then everything after it, once each, in order
        assertEquals(LongStream.rangeClosed(before + 1, last).boxed().toList(),
                after.subList(1, after.size()).stream().map(EventReceiver.Delivery::seq).toList());
    }
}
