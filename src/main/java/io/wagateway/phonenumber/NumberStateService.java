package io.wagateway.phonenumber;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.hibernate.reactive.panache.Panache;
import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.wagateway.config.JsonText;
import io.wagateway.config.AppConfig;
import io.wagateway.protocol.ProtocolException;
import io.wagateway.protocol.WhatsAppException;
import io.wagateway.whatsapp.MetaError;
import io.wagateway.whatsapp.WhatsAppClient;
import io.wagateway.fanout.Ephemeral;
import io.wagateway.fanout.FanoutService;
import io.wagateway.protocol.ServerFrame;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.time.Duration;
import java.util.Objects;

/**
 * Applies Meta's account and quality notifications to the numbers they concern and tells the
 * tenant with {@code whatsapp_status_update}.
 */
@ApplicationScoped
public class NumberStateService {

    private final PhoneNumberRepository numbers;
    private final FanoutService fanout;
    private final ObjectMapper json;
    private final WhatsAppClient whatsapp;
    private final Duration statusTtl;

    public NumberStateService(PhoneNumberRepository numbers, FanoutService fanout, ObjectMapper json,
                              WhatsAppClient whatsapp, AppConfig config) {
        this.whatsapp = whatsapp;
        this.statusTtl = config.whatsapp().statusCacheTtl();
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

    /**
     * The tenant's number named by a request's {@code phoneNumberId}, or its default number when the
     * request names none. Another tenant's number and an unknown one are the same {@code not_found}.
     */
    public Uni<PhoneNumber> number(String tenant, String phoneNumberId) {
        Uni<PhoneNumber> found = phoneNumberId == null ? numbers.findDefault(tenant)
                : numbers.findByTenantAndMetaId(tenant, phoneNumberId);
        return found.onItem().ifNull().failWith(() -> ProtocolException.notFound(phoneNumberId == null
                ? "WhatsApp number of this tenant" : "WhatsApp number " + phoneNumberId));
    }

    /**
     * {@code get_numbers}: every number of the tenant, the default first, as Meta last reported it
     * (the scheduler and {@code get_connection_status} keep that fresh). It calls no Graph API, so
     * a tenant with many numbers gets its list at once even while Meta is slow.
     */
    public Uni<List<BusinessNumber>> numbers(String tenant) {
        return numbers.listByTenant(tenant).map(all -> {
            List<BusinessNumber> out = new ArrayList<>(all.size());
            for (int i = 0; i < all.size(); i++) {
                out.add(BusinessNumber.of(all.get(i), i == 0)); // listByTenant orders as findDefault does
            }
            return out;
        });
    }

    /**
     * {@code get_connection_status}: the number (the default one when {@code phoneNumberId} is null)
     * as Meta last reported it, read again when older than {@code app.whatsapp.status-cache-ttl}. A
     * change is pushed to the tenant.
     */
    public Uni<ConnectionStatus> connectionStatus(String tenant, String phoneNumberId) {
        return number(tenant, phoneNumberId)
                .chain(number -> fresh(number) ? Uni.createFrom().item(ConnectionStatus.of(number)) : refresh(number));
    }

    /** Keeps every number's status fresh, so that changes are pushed even when nobody asks. */
    @Scheduled(every = "${app.whatsapp.status-refresh-interval}", delayed = "30s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> refreshAll() {
        return numbers.listAll().chain(all -> Multi.createFrom().iterable(all)
                .onItem().transformToUniAndConcatenate(n -> refresh(n).onFailure().recoverWithNull())
                .collect().last()).replaceWithVoid();
    }

    private boolean fresh(PhoneNumber number) {
        Object checkedAt = number.connection == null ? null : number.connection.get("checkedAt");
        return checkedAt != null && Instant.parse(checkedAt.toString()).plus(statusTtl).isAfter(Instant.now());
    }

    /** Reads the number from the Graph API, stores what changed and tells the tenant if it did. */
    Uni<ConnectionStatus> refresh(PhoneNumber number) {
        return whatsapp.phoneNumber(number)
                .map(this::stateFrom)
                .onFailure(MetaError.class).recoverWithItem(f -> {
                    MetaError error = (MetaError) f;
                    if (error.tokenRejected()) {
                        return new Observed("DISCONNECTED", null, null, "BLOCKED",
                                "access token rejected by Meta (" + error.code() + "): register a new token");
                    }
                    return new Observed(null, null, null, null, "status unavailable: " + error.getMessage());
                })
                .chain(observed -> Panache.withTransaction(() -> PhoneNumber.<PhoneNumber>findById(number.id)
                        .map(current -> {
                            ConnectionStatus before = ConnectionStatus.of(current);
                            if (observed.state() != null) {
                                current.status = observed.state();
                            }
                            if (observed.quality() != null) {
                                current.qualityRating = observed.quality();
                            }
                            if (observed.verifiedName() != null) {
                                current.verifiedName = observed.verifiedName();
                            }
                            Map<String, Object> connection = current.connection == null ? new HashMap<>()
                                    : new HashMap<>(current.connection);
                            connection.put("checkedAt", Instant.now().toString());
                            connection.put("reason", observed.reason());
                            connection.put("canSendMessage", observed.canSend());
                            current.connection = connection;
                            current.updatedAt = Instant.now();
                            return new Change(current, !sameState(before, ConnectionStatus.of(current)));
                        })))
                .invoke(change -> {
                    if (change.changed()) {
                        announce(change.number());
                    }
                })
                .map(change -> ConnectionStatus.of(change.number()));
    }

    private record Observed(String state, String quality, String verifiedName, String canSend, String reason) {}

    private record Change(PhoneNumber number, boolean changed) {}

    private Observed stateFrom(JsonNode n) {
        String canSend = n.path("health_status").path("can_send_message").asText(null);
        String reason = null;
        for (JsonNode entity : n.path("health_status").path("entities")) {
            if (!"AVAILABLE".equals(entity.path("can_send_message").asText("AVAILABLE"))) {
                reason = entity.path("entity_type").asText("?") + " " + entity.path("can_send_message").asText();
            }
        }
        return new Observed(n.path("status").asText(null), n.path("quality_rating").asText(null),
                n.path("verified_name").asText(null), canSend, reason);
    }

    private static boolean sameState(ConnectionStatus a, ConnectionStatus b) {
        return a.connected() == b.connected() && Objects.equals(a.connectionState(), b.connectionState())
                && Objects.equals(a.qualityRating(), b.qualityRating())
                && a.canSendMessage() == b.canSendMessage() && Objects.equals(a.reason(), b.reason());
    }

    /**
     * {@code get_qr_code}: the stored code of the number (the default one when {@code phoneNumberId}
     * is null), or (when there is none, when the
     * prefilled message differs, or with {@code forceNew}) a new one created at Meta and stored, so
     * that repeated calls do not create codes.
     */
    public Uni<QrCode> qrCode(String tenant, String phoneNumberId, boolean forceNew, String prefilledMessage) {
        return number(tenant, phoneNumberId)
                .chain(number -> {
                    QrCode stored = QrCode.of(number.qrCode);
                    if (!forceNew && stored != null
                            && (prefilledMessage == null || prefilledMessage.equals(stored.prefilledMessage()))) {
                        return Uni.createFrom().item(stored);
                    }
                    String text = prefilledMessage != null ? prefilledMessage
                            : stored != null ? stored.prefilledMessage() : "Hello";
                    return whatsapp.createQrCode(number, text)
                            .onFailure(MetaError.class).transform(f -> asProtocol((MetaError) f))
                            .map(QrCode::from)
                            .call(code -> Panache.withTransaction(() -> PhoneNumber.<PhoneNumber>findById(number.id)
                                    .invoke(current -> {
                                        current.qrCode = code.toMap();
                                        current.updatedAt = Instant.now();
                                    })));
                });
    }

    public static WhatsAppException asProtocol(MetaError error) {
        return new WhatsAppException(error.getMessage(), error.code(), error.details());
    }

    /** Pushes the number's state to every connection of its tenant, on every instance. */
    public void announce(PhoneNumber number) {
        String frame = JsonText.of(json, ServerFrame.push("whatsapp_status_update", ConnectionStatus.of(number)));
        fanout.publish(new Ephemeral(number.tenantId, frame, null, null));
    }
}
