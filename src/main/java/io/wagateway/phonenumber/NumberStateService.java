package io.wagateway.phonenumber;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.wagateway.fanout.Ephemeral;
import io.wagateway.fanout.FanoutService;
import io.wagateway.protocol.ServerFrame;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies Meta's account and quality notifications to the numbers they concern and tells the
 * tenant with {@code whatsapp_status_update}.
 */
@ApplicationScoped
public class NumberStateService {

    private final PhoneNumberRepository numbers;
    private final FanoutService fanout;
    private final ObjectMapper json;

    public NumberStateService(PhoneNumberRepository numbers, FanoutService fanout, ObjectMapper json) {
        this.numbers = numbers;
        this.fanout = fanout;
        this.json = json;
    }

    /**
     * @param wabaId        {@code entry[].id}
     * @param displayNumber the number the notification names, or null for all of the WABA's numbers
     * @param state         the new {@code status}, or null to keep it
     * @param quality       the new quality rating, or null to keep it
     * @param reason        the event, kept for clients
     * @return the numbers changed (empty when no tenant owns them)
     */
    public Uni<List<PhoneNumber>> apply(String wabaId, String displayNumber, String state, String quality,
                                        String reason) {
        return Panache.withTransaction(() -> store(wabaId, displayNumber, state, quality, reason))
                .invoke(changed -> changed.forEach(this::announce));
    }

    private Uni<List<PhoneNumber>> store(String wabaId, String displayNumber, String state, String quality, String reason) {
        String digits = displayNumber == null ? null : Numbers.digits(displayNumber);
        Uni<List<PhoneNumber>> matching = digits == null || digits.isEmpty()
                ? numbers.list("wabaId", wabaId)
                : numbers.list("wabaId = ?1 and displayPhoneNumber = ?2", wabaId, digits);
        return matching.invoke(found -> found.forEach(n -> {
            if (state != null) {
                n.status = state;
            }
            if (quality != null) {
                n.qualityRating = quality;
            }
            Map<String, Object> connection = n.connection == null ? new HashMap<>() : new HashMap<>(n.connection);
            connection.put("reason", reason);
            connection.put("checkedAt", Instant.now().toString());
            n.connection = connection;
            n.updatedAt = Instant.now();
        }));
    }

    /** Pushes the number's state to every connection of its tenant, on every instance. */
    public void announce(PhoneNumber number) {
        try {
            String frame = json.writeValueAsString(ServerFrame.push("whatsapp_status_update", ConnectionStatus.of(number)));
            fanout.publish(new Ephemeral(number.tenantId, frame, null, null));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
