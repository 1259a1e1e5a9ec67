package io.wagateway.inbox;

import io.wagateway.support.AppProcess;
import io.wagateway.support.Webhooks;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The packaged service in sandbox mode (prod profile, as it would run for a demo) on its own embedded
 * PostgreSQL: the sandbox number {@value #PHONE_NUMBER_ID} of tenant {@code default}, development
 * tokens from {@code /api/sandbox/token}, customers through {@code /api/sandbox/inbound}.
 */
final class SandboxApp implements AutoCloseable {

    static final String PHONE_NUMBER_ID = "sandbox-phone-number";
    static final String DISPLAY = "15550001111";

    final EmbeddedPostgres postgres;
    final AppProcess app;
    final HttpClient http = HttpClient.newHttpClient();

    private SandboxApp(EmbeddedPostgres postgres, AppProcess app) {
        this.postgres = postgres;
        this.app = app;
    }

    static SandboxApp start(String name, Map<String, String> extraEnv) throws Exception {
        EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
        Map<String, String> env = new java.util.HashMap<>(Map.of(
                "APP_WHATSAPP_MODE", "sandbox",
                "APP_WHATSAPP_TENANT", "default",
                "APP_WHATSAPP_PHONE_NUMBER_ID", PHONE_NUMBER_ID,
                "APP_WHATSAPP_DISPLAY_PHONE_NUMBER", DISPLAY,
                "APP_WHATSAPP_WABA_ID", "sandbox-waba",
                "APP_WHATSAPP_VERIFY_TOKEN", "sandbox-verify-token",
                // sandbox tokens are signed with the development key the instance is pointed at
                "SMALLRYE_JWT_SIGN_KEY_LOCATION",
                Path.of("src", "main", "resources", "dev-keys", "jwt-private.pem").toAbsolutePath().toString()));
        env.putAll(extraEnv);
        AppProcess app = AppProcess.start(name, postgres.getPort(), env).awaitReady();
        return new SandboxApp(postgres, app);
    }

    URI base() {
        return app.base;
    }

    int port() {
        return app.base.getPort();
    }

    /** A customer message through the sandbox, as the "Simulate customer" panel sends it. */
    void inbound(String from, String name, String text) throws Exception {
        String body = "{\"from\":\"" + from + "\",\"name\":\"" + name + "\",\"text\":\"" + text + "\"}";
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base().resolve("/api/sandbox/inbound"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(202, r.statusCode(), r.body());
    }

    /**
     * A customer's media through the sandbox (PROTOCOL.md 6.4): the simulated customer sends a generated
     * file of {@code type} (image, audio, document, ...), with an optional caption and file name.
     */
    void inboundMedia(String from, String name, String type, String caption, String filename) throws Exception {
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        var media = json.createObjectNode().put("type", type);
        if (caption != null) {
            media.put("caption", caption);
        }
        if (filename != null) {
            media.put("filename", filename);
        }
        var body = json.createObjectNode().put("from", from).put("name", name).set("media", media);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base().resolve("/api/sandbox/inbound"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(202, r.statusCode(), r.body());
    }

    /** {@code count} customers, one message each, in signed webhook deliveries of 100 messages. */
    void seedConversations(int count, String prefix) throws Exception {
        for (int start = 0; start < count; start += 100) {
            List<String> contacts = new ArrayList<>();
            List<String> messages = new ArrayList<>();
            for (int i = start; i < Math.min(count, start + 100); i++) {
                String from = "4930" + String.format("%07d", i);
                contacts.add("{\"profile\":{\"name\":\"" + prefix + " " + i + "\"},\"wa_id\":\"" + from + "\"}");
                messages.add(Webhooks.textMessage(from, Webhooks.wamid(), "Hello from customer " + i,
                        java.time.Instant.now()));
            }
            String body = Webhooks.delivery(Webhooks.change(PHONE_NUMBER_ID, DISPLAY,
                    "\"contacts\":[" + String.join(",", contacts) + "],\"messages\":[" + String.join(",", messages) + "]"));
            assertEquals(200, app.postWebhook(body));
        }
    }

    String token(String user, String roles) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base().resolve(
                "/api/sandbox/token?user=" + user + "&roles=" + roles)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body()).path("token").asText();
    }

    /** Moves a customer's last message two days back: the 24-hour window is closed. */
    void closeWindow(String waId) throws SQLException {
        try (Connection c = postgres.getPostgresDatabase().getConnection();
             var s = c.prepareStatement("update conversation set last_inbound_at = now() - interval '2 days' "
                     + "where contact_id in (select id from contact where wa_id = ?)")) {
            s.setString(1, waId);
            assertEquals(1, s.executeUpdate(), "one conversation of " + waId);
        }
    }

    @Override
    public void close() throws Exception {
        try {
            app.stop();
        } finally {
            postgres.close();
        }
    }
}
