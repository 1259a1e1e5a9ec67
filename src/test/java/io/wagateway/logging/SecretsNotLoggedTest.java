package io.wagateway.logging;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.wagateway.phonenumber.PhoneNumber;
import io.wagateway.support.FakeGraphApi;
import io.wagateway.support.FakeGraphApi.Reply;
import io.wagateway.support.FakeGraphResource;
import io.wagateway.support.Seeder;
import io.wagateway.support.TestTokens;
import io.wagateway.support.Webhooks;
import io.wagateway.support.WsClient;
import jakarta.inject.Inject;
import org.jboss.logmanager.formatters.PatternFormatter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs a send (accepted, retried, refused), signed, unsigned and unroutable webhooks and a bad
 * in-band token with the gateway's and the security and HTTP client categories at DEBUG, and
 * checks that no log record carries the access token, the app secret, a JWT or a message body.
 */
@QuarkusTest
@QuarkusTestResource(value = FakeGraphResource.class, restrictToAnnotatedClass = true)
class SecretsNotLoggedTest {

    private static final List<String> DEBUG_CATEGORIES = List.of("io.wagateway", "io.smallrye.jwt",
            "io.quarkus.smallrye.jwt", "io.quarkus.security", "io.quarkus.rest.client",
            "org.jboss.resteasy.reactive.client", "io.quarkus.websockets.next", "io.quarkus.vertx.http");

    @TestHTTPResource("/")
    URI base;

    @Inject
    Vertx vertx;

    @Inject
    Seeder seeder;

    @FakeGraphResource.InjectFakeGraph
    FakeGraphApi graph;

    private final Capture capture = new Capture();
    private final Map<String, Level> levels = new HashMap<>();
    private final Map<Handler, Level> handlerLevels = new HashMap<>();

    @BeforeEach
    void captureLogs() {
        Logger root = Logger.getLogger("");
        for (Handler handler : root.getHandlers()) {
            // keep the console quiet; only the capture sees DEBUG
            handlerLevels.put(handler, handler.getLevel());
            handler.setLevel(Level.INFO);
        }
        root.addHandler(capture);
        for (String category : DEBUG_CATEGORIES) {
            Logger logger = Logger.getLogger(category);
            levels.put(category, logger.getLevel());
            logger.setLevel(Level.FINE);
        }
    }

    @AfterEach
    void restoreLogs() {
        Logger root = Logger.getLogger("");
        root.removeHandler(capture);
        handlerLevels.forEach(Handler::setLevel);
        levels.forEach((category, level) -> Logger.getLogger(category).setLevel(level));
    }

    @Test
    void noSecretOrBodyReachesTheLog() {
        graph.reset();
        String tenant = Seeder.tenant();
        PhoneNumber number = seeder.phoneNumber(tenant);
        String accessToken = "secret-token-" + number.displayPhoneNumber; // what Seeder registers
        String customer = Seeder.number();
        String jwt = TestTokens.agent(tenant, "alice");
        String foreignJwt = TestTokens.foreignKey(tenant, "alice");
        String inboundBody = "inbound-body-" + UUID.randomUUID();
        String unsignedBody = "unsigned-body-" + UUID.randomUUID();
        String strayBody = "stray-body-" + UUID.randomUUID();
        List<String> outboundBodies = new ArrayList<>();

        try (WsClient ws = WsClient.connect(vertx, base, jwt)) {
            ws.ok("join_general", Map.of());
            ws.request("authenticate", Map.of("token", foreignJwt));

            Webhooks.post(Webhooks.text(number.phoneNumberId, number.displayPhoneNumber, customer, "Kim",
                    Webhooks.wamid(), inboundBody)).then().statusCode(200);
            ws.next("new_message");
            given().header("X-Hub-Signature-256", "sha256=" + "ab".repeat(32)).contentType("application/json")
                    .body(Webhooks.text(number.phoneNumberId, number.displayPhoneNumber, customer, "Kim",
                            Webhooks.wamid(), unsignedBody)).post(Webhooks.PATH).then().statusCode(401);
            // a number no tenant owns: counted, not kept
            Webhooks.post(Webhooks.text("pn-nobody-" + UUID.randomUUID(), "15550009999", customer, "Kim",
                    Webhooks.wamid(), strayBody)).then().statusCode(200);

            // accepted; retried after a 500 then accepted; refused for good
            outboundBodies.add(send(ws, customer, "message_sent_success"));
            graph.enqueue(Reply.error(500, 1, "An unknown error occurred"));
            outboundBodies.add(send(ws, customer, "message_sent_success"));
            graph.enqueue(Reply.error(400, 131026, "Message undeliverable"));
            outboundBodies.add(send(ws, customer, "message_send_error"));
        }

        String logged = capture.text();
        assertTrue(logged.contains("no tenant owns"), "the capture saw the gateway's log:\n" + logged);
        assertTrue(logged.contains("failed for good"), "the capture saw the outbox's log:\n" + logged);
        List<String> secrets = new ArrayList<>(List.of(accessToken, Webhooks.SECRET, jwt, foreignJwt,
                signaturePart(jwt), inboundBody, unsignedBody, strayBody));
        secrets.addAll(outboundBodies);
        for (String secret : secrets) {
            assertTrue(!logged.contains(secret), () -> "logged: " + secret + "\n" + logged);
        }
    }

    private static String send(WsClient ws, String to, String outcome) {
        String body = "outbound-body-" + UUID.randomUUID();
        ws.send("send_message", Map.of("to", to, "message", body));
        ws.next(outcome);
        return body;
    }

    /** The JWT's signature alone, in case something logs a token in pieces. */
    private static String signaturePart(String jwt) {
        return jwt.substring(jwt.lastIndexOf('.') + 1);
    }

    /** Every record as a console handler would print it. */
    private static final class Capture extends Handler {
        private final ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();
        // category, message with its parameters applied, and the full exception with causes
        private final PatternFormatter format = new PatternFormatter("%c %s%e%n");

        Capture() {
            setLevel(Level.ALL);
        }

        @Override
        public void publish(LogRecord record) {
            lines.add(format.format(record));
        }

        String text() {
            return String.join("\n", lines);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }
}
