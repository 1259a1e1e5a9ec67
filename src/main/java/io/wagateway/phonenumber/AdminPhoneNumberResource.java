package io.wagateway.phonenumber;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import io.wagateway.protocol.ProtocolException;
import io.wagateway.security.ClientIdentity;
import io.wagateway.security.Role;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import io.wagateway.protocol.ServerFrame;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.time.Instant;
import java.util.List;

/** Register and list the caller's own tenant's numbers. The access token is write-only. */
@Path("/api/admin/phone-numbers")
@RolesAllowed(Role.ADMIN)
public class AdminPhoneNumberResource {

    private final PhoneNumberService service;
    private final JsonWebToken jwt;

    public AdminPhoneNumberResource(PhoneNumberService service, JsonWebToken jwt) {
        this.service = service;
        this.jwt = jwt;
    }

    @RegisterForReflection
    public record RegisterRequest(@NotBlank @Size(max = 64) String phoneNumberId,
                                  @Size(max = 64) String wabaId,
                                  @NotBlank @Size(max = 32) String displayPhoneNumber,
                                  @Size(max = 256) String verifiedName,
                                  @Size(max = 4096) String accessToken) {
        // keeps the token out of logs and error messages that print the request
        @Override
        public String toString() {
            return "RegisterRequest[" + phoneNumberId + "]";
        }
    }

    @RegisterForReflection
    public record PhoneNumberView(String id, String phoneNumberId, String wabaId, String displayPhoneNumber,
                                  String verifiedName, String qualityRating, String status,
                                  boolean hasAccessToken, Instant createdAt) {
        static PhoneNumberView of(PhoneNumber n) {
            return new PhoneNumberView(n.id.toString(), n.phoneNumberId, n.wabaId, n.displayPhoneNumber,
                    n.verifiedName, n.qualityRating, n.status, n.accessToken != null, n.createdAt);
        }
    }

    @POST
    public Uni<Response> register(@Valid @NotNull RegisterRequest request) {
        return service.register(tenant(), new PhoneNumberService.Registration(request.phoneNumberId(),
                        request.wabaId(), request.displayPhoneNumber(), request.verifiedName(), request.accessToken()))
                .map(n -> Response.status(Response.Status.CREATED).entity(PhoneNumberView.of(n)).build());
    }

    @GET
    public Uni<List<PhoneNumberView>> list() {
        return service.list(tenant()).map(all -> all.stream().map(PhoneNumberView::of).toList());
    }

    /** Same codes and JSON shape as the WebSocket errors. */
    @ServerExceptionMapper
    public Response refused(ProtocolException e) {
        int status = switch (e.code()) {
            case BAD_REQUEST -> 400;
            case FORBIDDEN -> 403;
            case NOT_FOUND -> 404;
            default -> 500;
        };
        return Response.status(status).type(MediaType.APPLICATION_JSON)
                .entity(new ServerFrame.ErrorBody(e.code(), e.getMessage())).build();
    }

    private String tenant() {
        ClientIdentity identity = ClientIdentity.of(jwt);
        if (identity == null) {
            throw ProtocolException.forbidden("the token has no tenant claim");
        }
        return identity.tenant();
    }
}
