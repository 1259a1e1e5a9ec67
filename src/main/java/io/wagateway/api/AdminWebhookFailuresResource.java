package io.wagateway.api;

import io.smallrye.mutiny.Uni;
import io.wagateway.protocol.ClientEvent;
import io.wagateway.security.Role;
import io.wagateway.webhook.WebhookFailures;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Webhook items the gateway could not store, for the admins of the tenant that owns their number:
 * listed newest first and replayed (idempotently) through the webhook ingestion.
 */
@Path("/api/admin/webhook-failures")
@RolesAllowed(Role.ADMIN)
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Webhook failures (admin)")
public class AdminWebhookFailuresResource {

    private final Caller caller;
    private final WebhookFailures failures;

    public AdminWebhookFailuresResource(Caller caller, WebhookFailures failures) {
        this.caller = caller;
        this.failures = failures;
    }

    @GET
    @Operation(summary = "The tenant's webhook items that could not be stored, newest first")
    public Uni<ListPage<WebhookFailures.Failure>> list(
            @QueryParam("limit") @Min(1) @Max(ClientEvent.MAX_LIMIT) Integer limit,
            @QueryParam("cursor") @Size(max = 32) String cursor) {
        return failures.page(caller.identity().tenant(), cursor, limit).map(ListPage::of);
    }

    @POST
    @Path("/{id}/replay")
    @Operation(summary = "Stores the item again as if Meta delivered it now; a replay of a stored item is a duplicate")
    public Uni<WebhookFailures.Replay> replay(@PathParam("id") long id) {
        return failures.replay(caller.identity().tenant(), id);
    }
}
