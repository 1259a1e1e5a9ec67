package io.wagateway.sandbox;

import io.quarkus.runtime.annotations.RegisterForReflection;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;
import io.wagateway.config.AppConfig;
import io.wagateway.phonenumber.PhoneNumber;
import io.wagateway.phonenumber.PhoneNumberRepository;
import io.wagateway.phonenumber.Numbers;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import io.wagateway.protocol.ProtocolException;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

/**
 * {@code POST /api/sandbox/inbound {from, name, text, phoneNumberId?, media?}}: a customer message,
 * injected through the signed webhook path exactly as Meta would deliver it. Sandbox mode only.
 */
@Path("/api/sandbox/inbound")
public class SandboxInboundResource {

    private final AppConfig config;
    private final SandboxWebhookFeeder feeder;
    private final PhoneNumberRepository numbers;
    private final SandboxMedia media;
    private final ObjectMapper json;

    public SandboxInboundResource(AppConfig config, SandboxWebhookFeeder feeder, PhoneNumberRepository numbers,
                                  SandboxMedia media, ObjectMapper json) {
        this.config = config;
        this.feeder = feeder;
        this.numbers = numbers;
        this.media = media;
        this.json = json;
    }

    /** {@code text} is the message, or with {@code media} its caption (when {@code media.caption} gives none). */
    @RegisterForReflection
    public record Inbound(@NotBlank @Size(max = 32) String from, @Size(max = 256) String name,
                          @Size(max = 4096) String text, @Size(max = 64) String phoneNumberId, @Valid Media media) {}

    /**
     * The simulated customer sends a generated file: {@code image} (a PNG), {@code audio} (a voice
     * note, Ogg/Opus) or {@code document} (a PDF).
     */
    @RegisterForReflection
    public record Media(@NotNull @Pattern(regexp = "image|audio|document") String type,
                        @Size(max = 240) String filename, @Size(max = 1024) String caption) {}

    @POST
    public Uni<Response> inject(@Valid @NotNull Inbound inbound) {
        if (config.whatsapp().mode() != AppConfig.WhatsApp.Mode.sandbox) {
            throw new NotFoundException();
        }
        String id = inbound.phoneNumberId() != null ? inbound.phoneNumberId()
                : config.whatsapp().phoneNumberId().orElseThrow(() -> new NotFoundException("no sandbox number"));
        return numbers.findByMetaId(id).chain((PhoneNumber number) -> {
            if (number == null) {
                throw new NotFoundException("unknown phoneNumberId");
            }
            if (inbound.media() != null) {
                return feeder.inboundMedia(number.phoneNumberId, number.displayPhoneNumber,
                        Numbers.digits(inbound.from()), inbound.name(), inbound.media().type(), sample(inbound));
            }
            if (inbound.text() == null || inbound.text().isBlank()) {
                throw ProtocolException.badField("text", "text is required without media");
            }
            return feeder.inbound(number.phoneNumberId, number.displayPhoneNumber, Numbers.digits(inbound.from()),
                    inbound.name(), inbound.text());
        }).map(webhookAnswer -> Response.status(webhookAnswer.getStatus() == 200 ? 202 : 502).build());
    }

    /** Generates the file and describes it as Meta's webhook would. */
    private ObjectNode sample(Inbound inbound) {
        Media m = inbound.media();
        String caption = m.caption() != null ? m.caption() : inbound.text();
        ObjectNode described = json.createObjectNode();
        switch (m.type()) {
            case "image" -> {
                String id = media.generated("image", "image/png", SandboxMedia.png());
                SandboxMedia.Item item = media.item(id);
                described.put("id", id).put("mime_type", item.mimeType()).put("sha256", item.sha256Base64());
                if (caption != null) {
                    described.put("caption", caption);
                }
            }
            case "audio" -> {
                String id = media.generated("audio", "audio/ogg; codecs=opus", SandboxMedia.oggOpus());
                described.put("id", id).put("mime_type", "audio/ogg; codecs=opus")
                        .put("sha256", media.item(id).sha256Base64()).put("voice", true);
            }
            default -> {
                String filename = m.filename() != null ? m.filename() : "sandbox-document.pdf";
                String id = media.generated("document", "application/pdf", SandboxMedia.pdf(filename));
                described.put("id", id).put("mime_type", "application/pdf").put("sha256", media.item(id).sha256Base64())
                        .put("filename", filename);
                if (caption != null) {
                    described.put("caption", caption);
                }
            }
        }
        return described;
    }
}
