package io.wagateway.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.wagateway.config.JsonText;
import io.smallrye.mutiny.Uni;
import io.wagateway.conversation.ConversationQueries;
import io.wagateway.outbound.OutboundMessageService;
import io.wagateway.outbound.OutboxSender;
import io.wagateway.protocol.ClientEvent;
import io.wagateway.protocol.ClientEvent.SendMessage;
import io.wagateway.protocol.ProtocolException;
import io.wagateway.protocol.Views;
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
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.net.URI;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/** Messages: {@code send_message}, one message with its current status, {@code get_messages_between}. */
@Path("/api/v1/messages")
@RolesAllowed({Role.AGENT, Role.SUPERVISOR, Role.ADMIN})
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Messages")
public class MessagesResource {

    static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    private static final int MAX_KEY = 128;
    /** What the service reads as a number: anything with digits ({@code +}, spaces and dashes are dropped). */
    private static final String PHONE = ".*[0-9].*";

    private static final String TEXT_EXAMPLE = """
            {"to": "15557654321", "message": "Your order has shipped", "conversationId": "6f1c2a9e-1b7d-4c55-9a43-3d2f0c1e8b7a"}""";
    private static final String TEMPLATE_EXAMPLE = """
            {"to": "15557654321", "type": "template", "template": {"name": "order_update", "language": "en_US",
             "components": [{"type": "body", "parameters": [{"type": "text", "text": "4711"}]}]}}""";
    private static final String IMAGE_EXAMPLE = """
            {"to": "15557654321", "type": "image", "media": {"link": "https://shop.example/4711.jpg", "caption": "Your parcel"}}""";
    private static final String ACCEPTED_EXAMPLE = """
            {"messageId": "0b5e8f4c-2f61-4a8e-9d1e-6a3b2c1d0e9f", "clientMessageId": "order-4711-shipped", "status": "pending"}""";

    private final Caller caller;
    private final ConversationQueries queries;
    private final OutboundMessageService outbound;
    private final OutboxSender sender;
    private final ObjectMapper json;

    public MessagesResource(Caller caller, ConversationQueries queries, OutboundMessageService outbound,
                            OutboxSender sender, ObjectMapper json) {
        this.json = json;
        this.caller = caller;
        this.queries = queries;
        this.outbound = outbound;
        this.sender = sender;
    }

    /**
     * The answer of a send. {@code status} is the status the message was stored with ({@code pending}),
     * not its current one, so that a repeat with the same key gets exactly the first answer
     * (PROTOCOL.md 6.7); {@code GET /api/v1/messages/{messageId}} has the current status.
     */
    @RegisterForReflection
    public record Accepted(String messageId, String clientMessageId, String status) {}

    /**
     * {@code send_message}, idempotent on {@code Idempotency-Key} (the {@code clientMessageId} of the
     * WebSocket API, so both APIs share one key space per tenant): a repeat answers the first message
     * and sends nothing. Refusals (400, 404, 422 {@code outside_window}) store nothing, so a repeat
     * of a refused send is checked again.
     */
    @Operation(summary = "Sends a message, idempotent on Idempotency-Key (send_message)")
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @APIResponse(responseCode = "202", description = "Stored and queued for the Graph API (or a repeat of the key)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Accepted.class),
                    examples = @ExampleObject(name = "accepted", value = ACCEPTED_EXAMPLE)))
    public Uni<Response> send(
            @Parameter(description = "the send's clientMessageId: a repeat answers the first message and sends nothing",
                    example = "order-4711-shipped")
            @HeaderParam(IDEMPOTENCY_KEY) String idempotencyKey,
            @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, examples = {
                    @ExampleObject(name = "text", value = TEXT_EXAMPLE),
                    @ExampleObject(name = "template", value = TEMPLATE_EXAMPLE),
                    @ExampleObject(name = "image", value = IMAGE_EXAMPLE)}))
            @Valid @NotNull SendMessage request) {
        if (JsonText.of(json, request).contains("\\u0000")) {
            // as the WebSocket dispatcher does: PostgreSQL text cannot hold NUL, and a send that failed in
            // the database would fail the other sends stored with it
            throw ProtocolException.badRequest("strings must not contain NUL characters");
        }
        SendMessage send = withKey(request, idempotencyKey);
        return outbound.send(caller.identity(), send).map(accepted -> {
            if (accepted.created()) {
                sender.dispatch(accepted.job()); // the send's Graph call: after commit, once, by whoever created it
            }
            String id = accepted.messageId().toString();
            return Response.accepted(new Accepted(id, accepted.clientMessageId(), "pending"))
                    .location(URI.create("/api/v1/messages/" + id)).build();
        });
    }

    @Operation(summary = "One message with its current status")
    @GET
    @Path("/{id}")
    public Uni<Views.Message> message(@PathParam("id") String id) {
        return queries.message(caller.identity().tenant(), id);
    }

    /**
     * {@code get_messages_between}: a business number of the tenant and a contact's number, either
     * order, {@code +} optional; chronological, {@code offset} counts back from the newest.
     */
    @Operation(summary = "Messages between a business number and a contact's number (get_messages_between)")
    @GET
    @Path("/between")
    public Uni<ListPage<Views.Message>> between(@QueryParam("from") @NotBlank @Size(max = 32) @Pattern(regexp = PHONE,
                                                        message = "must be a phone number") String from,
                                                @QueryParam("to") @NotBlank @Size(max = 32) @Pattern(regexp = PHONE,
                                                        message = "must be a phone number") String to,
                                                @QueryParam("limit") @Min(1) @Max(ClientEvent.MAX_LIMIT) Integer limit,
                                                @QueryParam("offset") @Min(0) Integer offset) {
        return queries.messagesBetween(caller.identity().tenant(), from, to, limit, offset)
                .map(ListPage::of);
    }

    /** The header is the clientMessageId; a body that names another one is contradictory. */
    private static SendMessage withKey(SendMessage r, String key) {
        if (key == null) {
            return r;
        }
        if (key.isBlank() || key.length() > MAX_KEY) {
            throw ProtocolException.badField(IDEMPOTENCY_KEY, IDEMPOTENCY_KEY + " must be 1 to " + MAX_KEY
                    + " characters");
        }
        if (r.clientMessageId() != null && !r.clientMessageId().equals(key)) {
            throw ProtocolException.badField(IDEMPOTENCY_KEY, IDEMPOTENCY_KEY
                    + " and clientMessageId differ: send one of them, or the same value");
        }
        return new SendMessage(r.to(), r.message(), r.type(), r.conversationId(), key, r.replyTo(), r.template(),
                r.media(), r.reaction(), r.location(), r.from());
    }
}
