package io.wagateway.webhook;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import io.wagateway.conversation.Page;
import io.wagateway.protocol.ProtocolException;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.List;

/**
 * Webhook items the gateway could not turn into state, for the admins of the tenant whose number
 * they came for: listed, and replayed through the same ingestion as a delivery from Meta (after an
 * upgrade that understands them, say). Replaying is idempotent: what a replay stored is deduplicated
 * on the next one like a redelivery, and an item that fails again is not kept twice.
 */
@ApplicationScoped
public class WebhookFailures {

    public static final int DEFAULT_LIMIT = 50;

    @RegisterForReflection
    public record Failure(long id, Instant receivedAt, String phoneNumberId, String error, Instant replayedAt) {}

    /**
     * @param result {@code stored}, {@code status} (a status applied), {@code duplicate} (stored before),
     *               {@code ignored}, {@code unknown_number} (no tenant owns the number now) or {@code failed}
     */
    @RegisterForReflection
    public record Replay(long id, String result, String error, Instant replayedAt) {}

    private final WebhookFailureStore store;
    private final WebhookIngestion ingestion;

    public WebhookFailures(WebhookFailureStore store, WebhookIngestion ingestion) {
        this.store = store;
        this.ingestion = ingestion;
    }

    /** Newest first; {@code cursor} is the {@code nextCursor} of the page before. */
    public Uni<Page<Failure>> page(String tenant, String cursor, Integer limit) {
        int size = limit == null ? DEFAULT_LIMIT : limit;
        Long before = null;
        if (cursor != null) {
            try {
                before = Long.parseLong(cursor);
            } catch (NumberFormatException e) {
                throw ProtocolException.badField("cursor", "not a cursor of this list");
            }
        }
        return store.page(tenant, before, size + 1).map(kept -> {
            List<Failure> items = kept.stream().limit(size).map(WebhookFailures::failure).toList();
            String next = kept.size() > size ? Long.toString(items.get(items.size() - 1).id()) : null;
            return new Page<>(items, next);
        });
    }

    public Uni<Replay> replay(String tenant, long id) {
        return store.find(tenant, id).chain(kept -> {
            if (kept == null || kept.delivery() == null) {
                return Uni.createFrom().failure(ProtocolException.notFound("webhook failure"));
            }
            return ingestion.replay(kept.delivery()).chain(replayed -> {
                String error = replayed.failures().isEmpty() ? null : String.join("; ", replayed.failures());
                return store.replayed(id, error)
                        .map(after -> new Replay(id, result(replayed.outcome()), after.error(), after.replayedAt()));
            });
        });
    }

    private static String result(WebhookIngestion.Outcome outcome) {
        if (outcome.failed() > 0) {
            return "failed";
        }
        if (outcome.stored() > 0) {
            return "stored";
        }
        if (outcome.statuses() > 0) {
            return "status";
        }
        if (outcome.duplicates() > 0) {
            return "duplicate";
        }
        return outcome.unknownNumber() > 0 ? "unknown_number" : "ignored";
    }

    private static Failure failure(WebhookFailureStore.Kept kept) {
        return new Failure(kept.id(), kept.receivedAt(), kept.phoneNumberId(), kept.error(), kept.replayedAt());
    }
}
