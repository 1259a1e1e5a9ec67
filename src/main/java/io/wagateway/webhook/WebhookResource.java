package io.wagateway.webhook;

import io.smallrye.mutiny.Uni;
import io.wagateway.config.AppConfig;
import io.wagateway.metrics.GatewayMetrics;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Meta's webhook: the verification handshake and signed deliveries (PROTOCOL.md section 4). */
@Path("/webhooks/whatsapp")
public class WebhookResource {

    private static final Logger LOG = Logger.getLogger(WebhookResource.class);

    private final SignatureVerifier signatures;
    private final WebhookIngestion ingestion;
    private final byte[] verifyToken;
    private final GatewayMetrics metrics;

    public WebhookResource(SignatureVerifier signatures, WebhookIngestion ingestion, AppConfig config,
                           GatewayMetrics metrics) {
        this.metrics = metrics;
        this.signatures = signatures;
        this.ingestion = ingestion;
        this.verifyToken = config.whatsapp().verifyToken().map(t -> t.getBytes(StandardCharsets.UTF_8)).orElse(null);
    }

    /** The challenge goes back as-is, in plain text: a JSON-quoted challenge fails Meta's check. */
    @GET
    @Produces(MediaType.TEXT_PLAIN)
    public Response verify(@QueryParam("hub.mode") String mode, @QueryParam("hub.verify_token") String token,
                           @QueryParam("hub.challenge") String challenge) {
        boolean ok = "subscribe".equals(mode) && token != null && verifyToken != null && challenge != null
                && MessageDigest.isEqual(verifyToken, token.getBytes(StandardCharsets.UTF_8));
        return ok ? Response.ok(challenge, MediaType.TEXT_PLAIN).build() : Response.status(403).build();
    }

    /**
     * Verified on the raw bytes before anything is parsed; 200 only once everything is stored, 5xx
     * when storage failed so that Meta delivers again (duplicates are harmless).
     */
    @POST
    @Consumes(MediaType.WILDCARD)
    public Uni<Response> receive(@HeaderParam("X-Hub-Signature-256") String signature, byte[] body) {
        long start = System.nanoTime();
        if (body == null || !signatures.verify(body, signature)) {
            metrics.webhookDelivery("unsigned", System.nanoTime() - start);
            return Uni.createFrom().item(Response.status(401).build());
        }
        return ingestion.ingest(body)
                .map(outcome -> {
                    metrics.webhookDelivery("stored", System.nanoTime() - start);
                    metrics.webhookItems("stored", outcome.stored());
                    metrics.webhookItems("duplicate", outcome.duplicates());
                    metrics.webhookItems("status", outcome.statuses());
                    metrics.webhookItems("ignored", outcome.ignored());
                    metrics.webhookItems("failed", outcome.failed());
                    metrics.webhookItems("unknown_number", outcome.unknownNumber());
                    return Response.ok().build();
                })
                .onFailure().recoverWithItem(failure -> {
                    metrics.webhookDelivery("failed", System.nanoTime() - start);
                    LOG.errorf(failure, "webhook delivery not stored; Meta will retry");
                    return Response.status(503).build();
                });
    }
}
