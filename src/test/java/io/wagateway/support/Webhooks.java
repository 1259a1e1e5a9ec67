package io.wagateway.support;

import io.restassured.response.Response;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

import static io.restassured.RestAssured.given;

/** Builds Meta-shaped webhook bodies as raw text and posts them signed like Meta does. */
public final class Webhooks {

    public static final String SECRET = "test-app-secret";
    public static final String PATH = "/webhooks/whatsapp";

    private Webhooks() {
    }

    public static String signature(byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static Response post(String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return given().header("X-Hub-Signature-256", signature(bytes)).contentType("application/json")
                .body(bytes).post(PATH);
    }

    public static String wamid() {
        return "wamid." + UUID.randomUUID();
    }

    /** One text message from {@code from} to the number with Meta id {@code phoneNumberId}. */
    public static String text(String phoneNumberId, String display, String from, String name, String wamid,
                              String body) {
        return delivery(change(phoneNumberId, display,
                "\"contacts\":[{\"profile\":{\"name\":\"" + name + "\"},\"wa_id\":\"" + from + "\"}],"
                        + "\"messages\":[" + textMessage(from, wamid, body, Instant.now()) + "]"));
    }

    public static String textMessage(String from, String wamid, String body, Instant at) {
        return "{\"from\":\"" + from + "\",\"id\":\"" + wamid + "\",\"timestamp\":\"" + at.getEpochSecond()
                + "\",\"type\":\"text\",\"text\":{\"body\":\"" + body + "\"}}";
    }

    public static String status(String wamid, String status, Instant at) {
        return "{\"id\":\"" + wamid + "\",\"status\":\"" + status + "\",\"timestamp\":\"" + at.getEpochSecond()
                + "\",\"recipient_id\":\"15550000000\"}";
    }

    public static String statuses(String phoneNumberId, String display, String... statuses) {
        return delivery(change(phoneNumberId, display, "\"statuses\":[" + String.join(",", statuses) + "]"));
    }

    /** A {@code messages} change for one number; {@code valueFields} are the fields after metadata. */
    public static String change(String phoneNumberId, String display, String valueFields) {
        return "{\"field\":\"messages\",\"value\":{\"messaging_product\":\"whatsapp\",\"metadata\":"
                + "{\"display_phone_number\":\"" + display + "\",\"phone_number_id\":\"" + phoneNumberId + "\"},"
                + valueFields + "}}";
    }

    public static String delivery(String... changes) {
        return "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"waba-1\",\"changes\":["
                + String.join(",", changes) + "]}]}";
    }

    public static String entries(List<String> entries) {
        return "{\"object\":\"whatsapp_business_account\",\"entry\":[" + entries.stream().collect(Collectors.joining(","))
                + "]}";
    }

    public static String entry(String wabaId, String... changes) {
        return "{\"id\":\"" + wabaId + "\",\"changes\":[" + String.join(",", changes) + "]}";
    }
}
