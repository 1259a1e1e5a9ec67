package io.wagateway.api;

import io.smallrye.mutiny.Uni;
import io.wagateway.conversation.ConversationQueries;
import io.wagateway.protocol.ClientEvent;
import io.wagateway.protocol.Views;
import io.wagateway.security.Role;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code get_contacts}: alphabetical, {@code search} in the name or the number's digits. */
@Path("/api/v1/contacts")
@RolesAllowed({Role.AGENT, Role.SUPERVISOR, Role.ADMIN})
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Contacts")
public class ContactsResource {

    private final Caller caller;
    private final ConversationQueries queries;

    public ContactsResource(Caller caller, ConversationQueries queries) {
        this.caller = caller;
        this.queries = queries;
    }

    @Operation(summary = "The tenant's contacts, alphabetical (get_contacts)")
    @GET
    public Uni<ListPage<Views.Contact>> list(@QueryParam("search") @Size(max = 200) String search,
                                             @QueryParam("limit") @Min(1) @Max(ClientEvent.MAX_LIMIT) Integer limit,
                                             @QueryParam("cursor") @Size(max = 512) String cursor) {
        return queries.contacts(caller.identity().tenant(), search, limit, cursor).map(ListPage::of);
    }
}
