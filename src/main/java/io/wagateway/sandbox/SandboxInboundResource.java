package io.wagateway.sandbox;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import io.wagateway.config.AppConfig;
import io.wagateway.phonenumber.PhoneNumber;
import io.wagateway.phonenumber.PhoneNumberRepository;
import io.wagateway.phonenumber.Numbers;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

/**
 * {@code POST /api/sandbox/inbound {from, name, text, phoneNumberId?}}: a customer message,
 * injected through the signed webhook path exactly as Meta would deliver it. Sandbox mode only.
 */
@Path("/api/sandbox/inbound")
public class SandboxInboundResource {

    private final AppConfig config;
    private final SandboxWebhookFeeder feeder;
    private final PhoneNumberRepository numbers;

    public SandboxInboundResource(AppConfig config, SandboxWebhookFeeder feeder, PhoneNumberRepository numbers) {
        this.config = config;
        this.feeder = feeder;
        this.numbers = numbers;
    }

    @RegisterForReflection
    public record Inbound(@NotBlank @Size(max = 32) String from, @Size(max = 256) String name,
                          @NotBlank @Size(max = 4096) String text, @Size(max = 64) String phoneNumberId) {}

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
            return feeder.inbound(number.phoneNumberId, number.displayPhoneNumber, Numbers.digits(inbound.from()),
                    inbound.name(), inbound.text());
        }).map(webhookAnswer -> Response.status(webhookAnswer.getStatus() == 200 ? 202 : 502).build());
    }
}
