package io.wagateway.whatsapp;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.rest.client.annotation.RegisterProvider;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** Meta's Graph API, the calls the gateway makes. Only {@link WhatsAppClient} uses it. */
@RegisterRestClient(configKey = "graph")
@RegisterProvider(GraphErrorMapper.class)
@Path("/{version}")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
interface GraphApi {

    @POST
    @Path("/{phoneNumberId}/messages")
    Uni<JsonNode> messages(@PathParam("version") String version, @PathParam("phoneNumberId") String phoneNumberId,
                           @HeaderParam("Authorization") String authorization, JsonNode body);

    @GET
    @Path("/{phoneNumberId}")
    Uni<JsonNode> phoneNumber(@PathParam("version") String version, @PathParam("phoneNumberId") String phoneNumberId,
                              @QueryParam("fields") String fields, @HeaderParam("Authorization") String authorization);

    @GET
    @Path("/{phoneNumberId}/message_qrdls")
    Uni<JsonNode> qrCodes(@PathParam("version") String version, @PathParam("phoneNumberId") String phoneNumberId,
                          @QueryParam("fields") String fields, @HeaderParam("Authorization") String authorization);

    /** A page of the WhatsApp Business Account's templates; {@code after} is the previous page's cursor. */
    @GET
    @Path("/{wabaId}/message_templates")
    Uni<JsonNode> templates(@PathParam("version") String version, @PathParam("wabaId") String wabaId,
                            @QueryParam("status") String status, @QueryParam("fields") String fields,
                            @QueryParam("limit") int limit, @QueryParam("after") String after,
                            @HeaderParam("Authorization") String authorization);

    @POST
    @Path("/{phoneNumberId}/message_qrdls")
    Uni<JsonNode> createQrCode(@PathParam("version") String version, @PathParam("phoneNumberId") String phoneNumberId,
                               @HeaderParam("Authorization") String authorization, JsonNode body);

    /** A media's fresh download URL and its facts. */
    @GET
    @Path("/{mediaId}")
    Uni<JsonNode> media(@PathParam("version") String version, @PathParam("mediaId") String mediaId,
                        @QueryParam("phone_number_id") String phoneNumberId,
                        @HeaderParam("Authorization") String authorization);
}
