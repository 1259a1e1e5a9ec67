package io.wagateway.api;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import io.wagateway.collaboration.AssignmentService;
import io.wagateway.collaboration.ConversationStatusService;
import io.wagateway.conversation.ConversationQueries;
import io.wagateway.protocol.ClientEvent;
import io.wagateway.protocol.Views;
import io.wagateway.security.ClientIdentity;
import io.wagateway.security.Role;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Conversations: {@code get_conversations}, {@code get_messages}, {@code assign_chat} and
 * {@code update_conversation}. The writes answer the conversation as it is afterwards.
 */
@Path("/api/v1/conversations")
@RolesAllowed({Role.AGENT, Role.SUPERVISOR, Role.ADMIN})
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Conversations")
public class ConversationsResource {

    private final Caller caller;
    private final ConversationQueries queries;
    private final AssignmentService assignments;
    private final ConversationStatusService statuses;

    public ConversationsResource(Caller caller, ConversationQueries queries, AssignmentService assignments,
                                 ConversationStatusService statuses) {
        this.caller = caller;
        this.queries = queries;
        this.assignments = assignments;
        this.statuses = statuses;
    }

    @RegisterForReflection
    public record Assignee(@Schema(example = "bob") @NotBlank @Size(max = 256) String agentId) {}

    @RegisterForReflection
    public record StatusChange(@Schema(enumeration = {"open", "closed"}, example = "closed")
                               @NotNull @Pattern(regexp = "open|closed") String status) {}

    /** Newest message first (Meta's timestamp of each conversation's newest message), then by id. */
    @Operation(summary = "Conversations, newest message first (get_conversations)")
    @GET
    public Uni<ListPage<Views.Conversation>> list(@QueryParam("status") @Pattern(regexp = "open|closed") String status,
                                                  @QueryParam("assignedTo") @Size(max = 256) String assignedTo,
                                                  @QueryParam("phoneNumberId") @Size(max = 64) String phoneNumberId,
                                                  @QueryParam("limit") @Min(1) @Max(ClientEvent.MAX_LIMIT) Integer limit,
                                                  @QueryParam("cursor") @Size(max = 512) String cursor) {
        return queries.conversations(caller.identity().tenant(), limit, cursor, status, assignedTo, phoneNumberId)
                .map(ListPage::of);
    }

    /**
     * A page of messages in chronological order; {@code nextCursor} is the id to pass as {@code before}
     * (or {@code cursor}, as for the other lists) for the older page.
     */
    @Operation(summary = "A page of a conversation's messages, chronological (get_messages)")
    @GET
    @Path("/{id}/messages")
    public Uni<ListPage<Views.Message>> messages(@PathParam("id") String id,
                                                 @QueryParam("limit") @Min(1) @Max(ClientEvent.MAX_LIMIT) Integer limit,
                                                 @QueryParam("before") @Size(max = 64) String before,
                                                 @QueryParam("cursor") @Size(max = 64) String cursor) {
        return queries.messages(caller.identity().tenant(), id, limit, before != null ? before : cursor)
                .map(ListPage::of);
    }

    /** {@code assign_chat}: the same permission as over the WebSocket (AssignmentService decides). */
    @Operation(summary = "Assigns the conversation to an agent (assign_chat)")
    @POST
    @Path("/{id}/assignee")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Views.Conversation> assign(@PathParam("id") String id, @Valid @NotNull Assignee body) {
        ClientIdentity me = caller.identity();
        return assignments.assign(me, id, body.agentId()).chain(() -> queries.conversationView(me.tenant(), id));
    }

    /** {@code update_conversation}: close or reopen. */
    @Operation(summary = "Closes or reopens the conversation (update_conversation)")
    @PATCH
    @Path("/{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Views.Conversation> update(@PathParam("id") String id, @Valid @NotNull StatusChange body) {
        return statuses.changeStatus(caller.identity(), id, body.status());
    }
}
