package io.wagateway.sandbox;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.jwt.build.Jwt;
import io.wagateway.config.AppConfig;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code GET /api/sandbox/token}: development JWTs, signed with the development key that only the
 * dev and test profiles trust. Answers 404 unless {@code app.whatsapp.mode=sandbox}.
 */
@Path("/api/sandbox/token")
public class SandboxTokenResource {

    private final AppConfig config;
    private final String issuer;

    public SandboxTokenResource(AppConfig config,
                                @ConfigProperty(name = "mp.jwt.verify.issuer", defaultValue = "") String issuer) {
        this.config = config;
        this.issuer = issuer;
    }

    @RegisterForReflection
    public record Token(String token, String user, String tenant, Set<String> roles, Instant expiresAt) {}

    @GET
    public Token issue(@QueryParam("user") String user, @QueryParam("tenant") String tenant,
                       @QueryParam("roles") String roles, @QueryParam("name") String name,
                       @QueryParam("ttl") Integer ttlSeconds) {
        if (config.whatsapp().mode() != AppConfig.WhatsApp.Mode.sandbox) {
            throw new NotFoundException();
        }
        String subject = blankTo(user, "agent-1");
        String tenantId = blankTo(tenant, config.whatsapp().tenant());
        Set<String> groups = Arrays.stream(blankTo(roles, "agent").split(","))
                .map(String::trim).filter(r -> !r.isEmpty()).collect(Collectors.toSet());
        Instant expiresAt = Instant.now().plus(Duration.ofSeconds(ttlSeconds == null ? 3600 : Math.max(1, ttlSeconds)));
        String token = Jwt.issuer(issuer).subject(subject).upn(subject).groups(groups)
                .claim("tenant", tenantId).claim("name", blankTo(name, subject))
                .expiresAt(expiresAt).sign();
        return new Token(token, subject, tenantId, groups, expiresAt);
    }

    private static String blankTo(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value;
    }
}
