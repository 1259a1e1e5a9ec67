package io.wagateway.whatsapp;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Uni;
import io.wagateway.config.AppConfig;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.rest.client.inject.RestClient;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/** The Graph API over the reactive REST client, with a hard timeout and transport errors as {@link MetaError}. */
@ApplicationScoped
class CloudGraphTransport implements GraphTransport {

    private final GraphApi api;
    private final MediaTransfers transfers;
    private final String version;
    private final Duration timeout;

    CloudGraphTransport(@RestClient GraphApi api, MediaTransfers transfers, AppConfig config) {
        this.api = api;
        this.transfers = transfers;
        this.version = config.whatsapp().apiVersion();
        this.timeout = config.whatsapp().callTimeout();
    }

    @Override
    public Uni<JsonNode> messages(String phoneNumberId, String accessToken, JsonNode body) {
        return guard(() -> api.messages(version, phoneNumberId, bearer(accessToken), body));
    }

    @Override
    public Uni<JsonNode> phoneNumber(String phoneNumberId, String accessToken, String fields) {
        return guard(() -> api.phoneNumber(version, phoneNumberId, fields, bearer(accessToken)));
    }

    @Override
    public Uni<JsonNode> qrCodes(String phoneNumberId, String accessToken, String fields) {
        return guard(() -> api.qrCodes(version, phoneNumberId, fields, bearer(accessToken)));
    }

    @Override
    public Uni<JsonNode> createQrCode(String phoneNumberId, String accessToken, JsonNode body) {
        return guard(() -> api.createQrCode(version, phoneNumberId, bearer(accessToken), body));
    }

    @Override
    public Uni<JsonNode> approvedTemplates(String wabaId, String accessToken, String fields, int limit, String after) {
        return guard(() -> api.templates(version, wabaId, "APPROVED", fields, limit, after, bearer(accessToken)));
    }

    @Override
    public Uni<JsonNode> mediaInfo(String mediaId, String phoneNumberId, String accessToken) {
        return guard(() -> api.media(version, mediaId, phoneNumberId, bearer(accessToken)));
    }

    /** No overall timeout: a 100 MB document takes what it takes; an idle connection fails instead. */
    @Override
    public Uni<MediaDownload> download(String url, String accessToken, Path into) {
        return Uni.createFrom().deferred(() -> transfers.download(url, token(accessToken), into));
    }

    @Override
    public Uni<JsonNode> uploadMedia(String phoneNumberId, String accessToken, Path file, String mimeType,
                                     String filename) {
        return Uni.createFrom().deferred(() -> transfers.upload(phoneNumberId, token(accessToken), file, mimeType,
                filename));
    }

    private static String token(String accessToken) {
        return bearer(accessToken).substring("Bearer ".length());
    }

    private static String bearer(String accessToken) {
        if (accessToken == null || accessToken.isBlank()) {
            throw new MetaError(401, 190, "no access token is registered for this number", null);
        }
        return "Bearer " + accessToken;
    }

    /** Deferred, so that a missing token fails the Uni instead of throwing at the caller. */
    private Uni<JsonNode> guard(Supplier<Uni<? extends JsonNode>> call) {
        return Uni.createFrom().<JsonNode>deferred(call).ifNoItem().after(timeout).failWith(TimeoutException::new)
                .onFailure(f -> !(f instanceof MetaError)).transform(f -> MetaError.network(
                        f instanceof TimeoutException ? "Graph API call timed out" : "Graph API unreachable: "
                                + f.getClass().getSimpleName()));
    }
}
