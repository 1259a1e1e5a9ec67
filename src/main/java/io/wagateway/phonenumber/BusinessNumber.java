package io.wagateway.phonenumber;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * One entry of {@code numbers_response} (PROTOCOL.md 6.1): a number of the tenant with its state
 * as last read from Meta. {@code default} is the number that requests naming none use.
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BusinessNumber(String phoneNumberId, String displayPhoneNumber, String verifiedName, boolean connected,
                             String connectionState, String qualityRating, boolean canSendMessage,
                             @JsonProperty("default") boolean isDefault) {

    static BusinessNumber of(PhoneNumber n, boolean isDefault) {
        ConnectionStatus status = ConnectionStatus.of(n);
        return new BusinessNumber(n.phoneNumberId, n.displayPhoneNumber, n.verifiedName, status.connected(),
                status.connectionState(), status.qualityRating(), status.canSendMessage(), isDefault);
    }
}
