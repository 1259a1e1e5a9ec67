package io.wagateway.inbox;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.wagateway.config.AppConfig;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * {@code GET /api/inbox/config}: what the inbox page needs before it signs in: whether the sandbox
 * sign-in is there, and the host application's token URL ({@code app.inbox.token-url}). A JSON
 * endpoint rather than a value written into the page, so that the page has no inline script.
 */
@Path("/api/inbox/config")
public class InboxConfigResource {

    private final AppConfig config;

    public InboxConfigResource(AppConfig config) {
        this.config = config;
    }

    @RegisterForReflection
    public record InboxConfig(boolean sandbox, String tokenUrl) {}

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public InboxConfig get() {
        return new InboxConfig(config.whatsapp().mode() == AppConfig.WhatsApp.Mode.sandbox,
                config.inbox().tokenUrl().orElse(null));
    }
}
