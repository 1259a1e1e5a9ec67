package io.wagateway.forwarding;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import io.wagateway.api.Caller;
import io.wagateway.security.Role;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;

/**
 * Event forwarding of the caller's tenant (PROTOCOL.md 6.9), for admins: its durable events
 * POSTed to the host application's URL, signed with the tenant's secret, in seq order, at least once.
 */
@Path("/api/admin/forwarding")
@RolesAllowed(Role.ADMIN)
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Event forwarding (admin)")
public class AdminForwardingResource {

    @RegisterForReflection
    public record ForwardingRequest(
            @Schema(example = "https://host.example/wa-gateway/events",
                    description = "http or https; loopback and private addresses are refused unless "
                            + "app.forwarding.allow-private-targets is on")
            @NotBlank @Size(max = 2048) String url,
            @Schema(example = "[\"new_message\", \"message_status_update\"]",
                    description = "durable event names to forward; empty or absent: every durable event")
            @Size(max = 32) List<@NotBlank @Size(max = 64) String> events,
            @Schema(description = "HMAC-SHA256 key of X-Gateway-Signature-256, at least 16 characters; write-only",
                    example = "a-long-random-shared-secret")
            @NotNull @Size(min = 16, max = 256) String secret,
            @Schema(description = "forward the events after this seq (as resume's lastSeq); absent: a new "
                    + "forwarding starts at the tenant's current seq, a replaced one keeps its cursor", example = "0")
            @PositiveOrZero Long fromSeq) {
        // keeps the secret out of logs and error messages that print the request
        @Override
        public String toString() {
            return "ForwardingRequest[" + url + "]";
        }
    }

    private final Caller caller;
    private final ForwardingService forwarding;

    public AdminForwardingResource(Caller caller, ForwardingService forwarding) {
        this.caller = caller;
        this.forwarding = forwarding;
    }

    @PUT
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Forwards the tenant's durable events to a URL (creates or replaces the forwarding)")
    @APIResponse(responseCode = "200", description = "The forwarding as it now is (without the secret)")
    public Uni<ForwardingService.Settings> put(@Valid @NotNull ForwardingRequest body) {
        return forwarding.put(caller.identity().tenant(), body.url(), body.events(), body.secret(), body.fromSeq());
    }

    @GET
    @Operation(summary = "The tenant's forwarding (404 when it has none); the secret is never returned")
    public Uni<ForwardingService.Settings> get() {
        return forwarding.get(caller.identity().tenant());
    }

    @DELETE
    @Operation(summary = "Stops forwarding the tenant's events")
    @APIResponse(responseCode = "204", description = "Stopped")
    public Uni<Void> delete() {
        return forwarding.delete(caller.identity().tenant());
    }

    @GET
    @Path("/status")
    @Operation(summary = "Where forwarding stands: the last delivered seq, the lag in events, the last error")
    public Uni<ForwardingService.Status> status() {
        return forwarding.status(caller.identity().tenant());
    }
}
