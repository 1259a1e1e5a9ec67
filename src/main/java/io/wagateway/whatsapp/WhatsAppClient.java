package io.wagateway.whatsapp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;
import io.wagateway.config.AppConfig;
import io.wagateway.metrics.GatewayMetrics;
import io.smallrye.faulttolerance.api.TypedGuard;
import io.wagateway.phonenumber.PhoneNumber;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.util.TypeLiteral;
import jakarta.inject.Inject;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;

import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The one door to WhatsApp. Picks Meta or the sandbox simulator by {@code app.whatsapp.mode};
 * callers see {@link MetaError} on failure and never handle the access token beyond passing
 * the number. Every call is counted and timed by operation, result and Meta's error code.
 *
 * <p>The synchronous reads (number status, QR codes, templates) go through a circuit breaker: when most
 * recent reads found Meta unavailable, further reads fail at once for
 * {@code app.whatsapp.read-breaker-delay} instead of each waiting for its timeout. Sends do not:
 * the durable outbox retries them with its own backoff, across restarts.
 */
@ApplicationScoped
public class WhatsAppClient {

    static final String PHONE_FIELDS = "display_phone_number,verified_name,quality_rating,status,"
            + "code_verification_status,name_status,platform_type,throughput,health_status";
    static final String QR_FIELDS = "code,prefilled_message,deep_link_url,qr_image_url.format(PNG)";

    static final String TEMPLATE_FIELDS = "name,language,category,status,components";
    /** Templates per page, and pages read at most: a WABA holds up to a few thousand templates. */
    static final int TEMPLATE_PAGE = 100;
    static final int TEMPLATE_PAGES = 20;

    /** The breaker judges the last this many reads: it opens when half of them found Meta unavailable. */
    static final int READ_BREAKER_WINDOW = 10;

    private final GraphTransport transport;
    private final ObjectMapper json;
    private final GatewayMetrics metrics;
    private final TypedGuard<Uni<JsonNode>> reads;

    @Inject
    public WhatsAppClient(AppConfig config, @Any Instance<GraphTransport> transports, ObjectMapper json,
                          GatewayMetrics metrics) {
        this(config.whatsapp().mode() == AppConfig.WhatsApp.Mode.sandbox
                        ? transports.select(Sandboxed.Literal.INSTANCE).get()
                        : transports.select(CloudGraphTransport.class).get(),
                json, metrics, config.whatsapp().readBreakerDelay());
    }

    WhatsAppClient(GraphTransport transport, ObjectMapper json, GatewayMetrics metrics, Duration readBreakerDelay) {
        this.transport = transport;
        this.json = json;
        this.metrics = metrics;
        this.reads = TypedGuard.create(new TypeLiteral<Uni<JsonNode>>() {})
                .withCircuitBreaker()
                .requestVolumeThreshold(READ_BREAKER_WINDOW).failureRatio(0.5).successThreshold(1)
                .delay(readBreakerDelay.toMillis(), ChronoUnit.MILLIS)
                .when(failure -> failure instanceof MetaError error && error.unavailable())
                .done()
                .build();
    }

    /** Sends a prepared message body; returns the WhatsApp message id. */
    public Uni<String> send(PhoneNumber number, JsonNode body) {
        return measured("send", () -> transport.messages(number.phoneNumberId, number.accessToken, body)
                .map(response -> {
                    String wamid = response.path("messages").path(0).path("id").asText(null);
                    if (wamid == null) {
                        throw new MetaError(200, 0, "Graph API accepted the message without an id", null);
                    }
                    return wamid;
                }));
    }

    /** Marks an inbound message (and the ones before it) read; optionally shows the typing indicator. */
    public Uni<Void> markRead(PhoneNumber number, String inboundWamid, boolean typing) {
        ObjectNode body = json.createObjectNode().put("messaging_product", "whatsapp").put("status", "read")
                .put("message_id", inboundWamid);
        if (typing) {
            body.putObject("typing_indicator").put("type", "text");
        }
        return measured("mark_read", () -> transport.messages(number.phoneNumberId, number.accessToken, body))
                .replaceWithVoid();
    }

    public Uni<JsonNode> phoneNumber(PhoneNumber number) {
        return read("phone_number", () -> transport.phoneNumber(number.phoneNumberId, number.accessToken,
                PHONE_FIELDS));
    }

    /** The number's existing QR codes ({@code data} array). */
    public Uni<JsonNode> qrCodes(PhoneNumber number) {
        return read("qr_codes", () -> transport.qrCodes(number.phoneNumberId, number.accessToken, QR_FIELDS));
    }

    public Uni<JsonNode> createQrCode(PhoneNumber number, String prefilledMessage) {
        ObjectNode body = json.createObjectNode().put("prefilled_message", prefilledMessage)
                .put("generate_qr_image", "PNG");
        return read("create_qr_code", () -> transport.createQrCode(number.phoneNumberId, number.accessToken,
                body));
    }

    /**
     * The approved templates of the number's WhatsApp Business Account ({@code GET
     * /{waba-id}/message_templates?status=APPROVED}), every page of them (at most
     * {@link #TEMPLATE_PAGES}), as Meta describes each.
     *
     * @throws IllegalArgumentException (in the Uni) when the number has no WABA id
     */
    public Uni<List<JsonNode>> approvedTemplates(PhoneNumber number) {
        if (number.wabaId == null) {
            return Uni.createFrom().failure(new IllegalArgumentException("the number has no WABA id"));
        }
        return templatePages(number, null, new ArrayList<>(), 1);
    }

    private Uni<List<JsonNode>> templatePages(PhoneNumber number, String after, List<JsonNode> into, int page) {
        return read("templates", () -> transport.approvedTemplates(number.wabaId, number.accessToken, TEMPLATE_FIELDS,
                TEMPLATE_PAGE, after)).chain(response -> {
                    response.path("data").forEach(into::add);
                    String next = response.path("paging").path("cursors").path("after").asText(null);
                    // Meta leaves out paging.next on the last page (the cursors stay)
                    boolean more = response.path("paging").hasNonNull("next") && next != null;
                    return more && page < TEMPLATE_PAGES ? templatePages(number, next, into, page + 1)
                            : Uni.createFrom().item(into);
                });
    }

    /**
     * {@code GET /{media-id}}: a fresh download URL and the media's facts. Not through the read
     * breaker: downloads are durable jobs with their own backoff, like sends.
     */
    public Uni<JsonNode> mediaInfo(PhoneNumber number, String mediaId) {
        return measured("media_info", () -> transport.mediaInfo(mediaId, number.phoneNumberId, number.accessToken));
    }

    /** Streams the media at a URL {@link #mediaInfo} gave into the file. */
    public Uni<MediaDownload> download(PhoneNumber number, String url, Path into) {
        return measured("media_download", () -> transport.download(url, number.accessToken, into));
    }

    /** Uploads the file for the number; returns Meta's media id. */
    public Uni<String> uploadMedia(PhoneNumber number, Path file, String mimeType, String filename) {
        return measured("media_upload", () -> transport.uploadMedia(number.phoneNumberId, number.accessToken, file,
                mimeType, filename).map(response -> {
                    String id = response.path("id").asText(null);
                    if (id == null) {
                        throw new MetaError(200, 0, "Graph API accepted the upload without an id", null);
                    }
                    return id;
                }));
    }

    /** A synchronous read through the breaker; an open breaker is a {@link MetaError} like an outage. */
    private Uni<JsonNode> read(String operation, Supplier<Uni<? extends JsonNode>> call) {
        return reads.get(() -> measured(operation, call))
                .onFailure(CircuitBreakerOpenException.class).transform(open -> new MetaError(503, 0,
                        "Graph API unavailable: recent calls failed, not calling it again for a while", null));
    }

    /**
     * Times the call from subscription to its outcome. Deferred, so that a transport that refuses
     * synchronously (no access token) fails the returned Uni like any other error.
     */
    private <T> Uni<T> measured(String operation, Supplier<Uni<? extends T>> call) {
        return Uni.createFrom().deferred(() -> {
            long start = System.nanoTime();
            return Uni.createFrom().<T>deferred(call).onItemOrFailure().invoke((item, failure) -> {
                long nanos = System.nanoTime() - start;
                if (failure == null) {
                    metrics.graphCall(operation, "success", "none", nanos);
                } else if (failure instanceof MetaError error) {
                    metrics.graphCall(operation, error.status() == 0 ? "network" : "error",
                            error.code() == 0 ? "none" : Integer.toString(error.code()), nanos);
                } else {
                    metrics.graphCall(operation, "error", "none", nanos);
                }
            });
        });
    }
}
