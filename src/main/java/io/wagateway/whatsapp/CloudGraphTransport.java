package io.wagateway.whatsapp;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Uni;
import io.wagateway.config.AppConfig;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.rest.client.inject.RestClient;

import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/** The Graph API over the reactive REST client, with a hard timeout and transport errors as {@link MetaError}. */
@ApplicationScoped
class CloudGraphTransport implements GraphTransport {

    private final GraphApi api;
    private final String version;
    private final Duration timeout;

    CloudGraphTransport(@RestClient GraphApi api, AppConfig config) {
        this.api = api;
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
