package io.wagateway.forwarding;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import io.wagateway.protocol.ProtocolException;
import jakarta.enterprise.context.ApplicationScoped;

import java.net.URI;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Decides a tenant's event forwarding (PROTOCOL.md 6.9): checks the target against the
 * {@link TargetGuard}, the event names and the starting point, and says where forwarding stands.
 * The delivery itself is the {@link Forwarder}'s.
 */
@ApplicationScoped
public class ForwardingService {

    /**
     * The durable events (the records of {@code protocol.ServerEvent}): what an {@code events} filter
     * may name. Ephemeral events (typing, presence, number status) are not in the log, so never forwarded.
     */
    /** The names of {@link io.wagateway.protocol.ServerEvent}'s records (ForwardingEventsTest keeps them in step). */
    static final Set<String> DURABLE_EVENTS = Set.of("new_message", "message_updated", "conversation_updated",
            "message_status_update", "message_read_receipt", "chat_assigned");
    static final int MIN_SECRET_LENGTH = 16;

    /** The tenant's forwarding as GET answers it: never the secret, only that there is one. */
    @RegisterForReflection
    public record Settings(String url, List<String> events, boolean hasSecret, long lastDeliveredSeq,
                           Instant createdAt, Instant updatedAt) {
        static Settings of(ForwardingStore.Settings s) {
            return new Settings(s.url(), s.events(), true, s.lastDeliveredSeq(), s.createdAt(), s.updatedAt());
        }
    }

    /**
     * @param lastError     what went wrong last: the failed POST ({@code HTTP 503}, {@code connection
     *                      refused}, ...) until the next delivery, or events skipped past the retention
     * @param failedAttempts POSTs failed in a row (0 when healthy)
     * @param nextAttemptAt when the next retry is due, while failing
     */
    @RegisterForReflection
    public record Status(long lastDeliveredSeq, long lag, String lastError, Instant lastErrorAt, int failedAttempts,
                         Instant nextAttemptAt) {}

    private final ForwardingStore store;
    private final TargetGuard guard;

    public ForwardingService(ForwardingStore store, TargetGuard guard) {
        this.store = store;
        this.guard = guard;
    }

    /** Creates or replaces the tenant's forwarding; a refused target is a 400 about {@code url}. */
    public Uni<Settings> put(String tenant, String url, List<String> events, String secret, Long fromSeq) {
        URI target;
        try {
            target = TargetGuard.parse(url);
        } catch (TargetGuard.Refused refused) {
            throw ProtocolException.badField("url", "url " + refused.getMessage());
        }
        if (secret == null || secret.length() < MIN_SECRET_LENGTH) {
            throw ProtocolException.badField("secret", "secret must have at least " + MIN_SECRET_LENGTH + " characters");
        }
        List<String> names = events == null ? List.of() : List.copyOf(new LinkedHashSet<>(events));
        for (int i = 0; i < names.size(); i++) {
            if (!DURABLE_EVENTS.contains(names.get(i))) {
                throw ProtocolException.badField("events", "events: " + names.get(i)
                        + " is not a durable event (one of " + String.join(", ", DURABLE_EVENTS.stream().sorted().toList())
                        + ")");
            }
        }
        if (fromSeq != null && fromSeq < 0) {
            throw ProtocolException.badField("fromSeq", "fromSeq must be 0 or more");
        }
        return guard.resolve(target)
                .onFailure().transform(failure -> {
                    TargetGuard.Refused refused = TargetGuard.refusedBy(failure);
                    return refused == null ? failure : ProtocolException.badField("url", "url refused: " + refused.getMessage());
                })
                .chain(checked -> fromSeq == null ? Uni.createFrom().voidItem() : store.lastSeq(tenant).invoke(last -> {
                    if (fromSeq > last) {
                        throw ProtocolException.badField("fromSeq", "fromSeq " + fromSeq
                                + " is past the tenant's last seq (" + last + ")");
                    }
                }).replaceWithVoid())
                .chain(() -> store.put(tenant, target.toString(), names, secret, fromSeq))
                .map(Settings::of);
    }

    public Uni<Settings> get(String tenant) {
        return store.find(tenant).map(settings -> {
            if (settings == null) {
                throw ProtocolException.notFound("forwarding");
            }
            return Settings.of(settings);
        });
    }

    /** Stops forwarding; a batch in flight sends at most the POST it is in. */
    public Uni<Void> delete(String tenant) {
        return store.delete(tenant).invoke(deleted -> {
            if (!deleted) {
                throw ProtocolException.notFound("forwarding");
            }
        }).replaceWithVoid();
    }

    public Uni<Status> status(String tenant) {
        return store.standing(tenant).map(standing -> {
            if (standing == null) {
                throw ProtocolException.notFound("forwarding");
            }
            return new Status(standing.lastDeliveredSeq(), Math.max(0, standing.lastSeq() - standing.lastDeliveredSeq()),
                    standing.lastError(), standing.lastErrorAt(), standing.failedAttempts(), standing.nextAttemptAt());
        });
    }
}
