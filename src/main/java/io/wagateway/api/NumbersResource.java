package io.wagateway.api;

import io.smallrye.mutiny.Uni;
import io.wagateway.phonenumber.BusinessNumber;
import io.wagateway.phonenumber.ConnectionStatus;
import io.wagateway.phonenumber.NumberStateService;
import io.wagateway.phonenumber.QrCode;
import io.wagateway.security.Role;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The tenant's WhatsApp numbers: {@code get_numbers}, {@code get_connection_status}, {@code get_qr_code}. */
@Path("/api/v1/numbers")
@RolesAllowed({Role.AGENT, Role.SUPERVISOR, Role.ADMIN})
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Numbers")
public class NumbersResource {

    private final Caller caller;
    private final NumberStateService numbers;

    public NumbersResource(Caller caller, NumberStateService numbers) {
        this.caller = caller;
        this.numbers = numbers;
    }

    @Operation(summary = "The tenant's WhatsApp numbers, the default first (get_numbers)")
    @GET
    public Uni<ListPage<BusinessNumber>> list() {
        return numbers.numbers(caller.identity().tenant()).map(ListPage::of);
    }

    @Operation(summary = "A number's connection status as Meta reports it (get_connection_status)")
    @GET
    @Path("/{phoneNumberId}/status")
    public Uni<ConnectionStatus> status(@PathParam("phoneNumberId") String phoneNumberId) {
        return numbers.connectionStatus(caller.identity().tenant(), phoneNumberId);
    }

    @Operation(summary = "A number's QR code, created at Meta when there is none or with forceNew (get_qr_code)")
    @GET
    @Path("/{phoneNumberId}/qr-code")
    public Uni<QrCode> qrCode(@PathParam("phoneNumberId") String phoneNumberId,
                              @QueryParam("forceNew") boolean forceNew,
                              @QueryParam("prefilledMessage") @Size(max = 140) String prefilledMessage) {
        return numbers.qrCode(caller.identity().tenant(), phoneNumberId, forceNew, prefilledMessage);
    }
}
