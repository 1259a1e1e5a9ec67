package io.wagateway.phonenumber;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * The {@code connection_status} / {@code whatsapp_status_update} payload of a number; it names the
 * number by {@code phoneNumberId}, since a tenant may have several (PROTOCOL.md 6.1).
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ConnectionStatus(String phoneNumberId, boolean connected, String connectionState, String phoneNumber, String verifiedName,
                               String qualityRating, boolean canSendMessage, Instant checkedAt, String reason) {

    /** States in which Meta does not deliver this number's messages. */
    private static final Set<String> DOWN = Set.of(
            "DISABLED", "BANNED", "RESTRICTED", "OFFLINE", "DISCONNECTED", "UNVERIFIED", "PENDING_DELETION");

    public static ConnectionStatus of(PhoneNumber n) {
        Map<String, Object> c = n.connection == null ? Map.of() : n.connection;
        String state = n.status == null ? "CONNECTED" : n.status;
        boolean connected = !DOWN.contains(state);
        Object canSend = c.get("canSendMessage");
        Object checkedAt = c.get("checkedAt");
        return new ConnectionStatus(n.phoneNumberId, connected, state.toLowerCase(), n.displayPhoneNumber, n.verifiedName,
                n.qualityRating, connected && (canSend == null || !"BLOCKED".equals(canSend)),
                checkedAt == null ? n.updatedAt : Instant.parse(checkedAt.toString()),
                c.get("reason") == null ? null : c.get("reason").toString());
    }
}
