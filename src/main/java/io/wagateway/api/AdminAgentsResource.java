package io.wagateway.api;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import io.wagateway.agent.AgentService;
import io.wagateway.protocol.ProtocolException;
import io.wagateway.protocol.Views;
import io.wagateway.security.Role;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.net.URI;

/**
 * The agent directory of the caller's tenant (PROTOCOL.md 6.8), for admins: agents created before
 * their first connection can be assigned; a deactivated agent's connections close with 4403 and its
 * token is refused. Roles stay the token's: the directory holds names and the active flag only.
 */
@Path("/api/admin/agents")
@RolesAllowed(Role.ADMIN)
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Agents (admin)")
public class AdminAgentsResource {

    /** An agent id is a JWT subject: the same size limit as {@code assign_chat}'s agentId. */
    @RegisterForReflection
    public record NewAgent(@Schema(example = "bob") @NotBlank @Size(max = 256) String agentId,
                           @Schema(example = "Bob Smith") @NotBlank @Size(max = 256) String name) {}

    @RegisterForReflection
    public record AgentChange(@Schema(example = "Bob Smith") @Size(min = 1, max = 256) String name,
                              @Schema(example = "false") Boolean active) {}

    private final Caller caller;
    private final AgentService agents;

    public AdminAgentsResource(Caller caller, AgentService agents) {
        this.caller = caller;
        this.agents = agents;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Creates an agent before its first connection")
    @APIResponse(responseCode = "201", description = "Created",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Views.Agent.class)))
    public Uni<Response> create(@Valid @NotNull NewAgent body) {
        return agents.create(caller.identity().tenant(), body.agentId(), body.name())
                .map(agent -> Response.created(URI.create("/api/admin/agents/" + agent.agentId())).entity(agent).build());
    }

    @GET
    @Operation(summary = "Every agent of the tenant, deactivated ones included (as get_agents)")
    public Uni<ListPage<Views.Agent>> list() {
        return agents.directory(caller.identity().tenant()).map(ListPage::of);
    }

    @PATCH
    @Path("/{agentId}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Renames, deactivates (closing its connections with 4403) or reactivates an agent")
    public Uni<Views.Agent> update(@PathParam("agentId") String agentId, @Valid @NotNull AgentChange body) {
        if (body.name() == null && body.active() == null) {
            throw ProtocolException.badField("name", "give a name or active (or both)");
        }
        return agents.update(caller.identity().tenant(), agentId, body.name(), body.active());
    }
}
