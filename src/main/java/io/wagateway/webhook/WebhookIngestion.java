package io.wagateway.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import io.wagateway.conversation.InboundMessageService;
import io.wagateway.conversation.MessageStatusService;
import io.wagateway.phonenumber.NumberStateService;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.EnumMap;

/**
 * Turns one verified delivery into stored state: every entry, change, message and status of the
 * batch, each in its own transaction, so that one bad item never drops the others. An item that
 * cannot be understood, or names a number no tenant owns, is kept in {@code webhook_failure}
 * rather than lost. A storage failure fails the whole delivery (5xx) so that Meta delivers it
 * again; what was stored already is deduplicated then.
 */
@ApplicationScoped
public class WebhookIngestion {

    private static final Logger LOG = Logger.getLogger(WebhookIngestion.class);

    /** What a delivery came to. */
    public record Outcome(int stored, int duplicates, int statuses, int ignored, int failed) {}

    private enum ItemResult { STORED, DUPLICATE, STATUS, IGNORED, FAILED }

    private final ObjectMapper json;
    private final InboundMessageService inbound;
    private final MessageStatusService statuses;
    private final NumberStateService numberStates;
    private final Pool pool;

    public WebhookIngestion(ObjectMapper json, InboundMessageService inbound, MessageStatusService statuses,
                            NumberStateService numberStates, Pool pool) {
        this.pool = pool;
        this.json = json;
        this.inbound = inbound;
        this.statuses = statuses;
        this.numberStates = numberStates;
    }

    public Uni<Outcome> ingest(byte[] body) {
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (Exception e) {
            root = null;
        }
        if (root == null || !root.isObject()) {
            return fail("malformed delivery", json.createObjectNode()
                    .put("raw", new String(body, StandardCharsets.UTF_8)))
                    .replaceWith(new Outcome(0, 0, 0, 0, 1));
        }
        List<Supplier<Uni<ItemResult>>> items = new ArrayList<>();
        for (JsonNode entry : root.path("entry")) {
            for (JsonNode change : entry.path("changes")) {
                collect(entry, change, items);
            }
        }
        return Multi.createFrom().iterable(items)
                .onItem().transformToUniAndConcatenate(Supplier::get)
                .collect().asList()
                .map(WebhookIngestion::count);
    }

    private void collect(JsonNode entry, JsonNode change, List<Supplier<Uni<ItemResult>>> items) {
        String field = change.path("field").asText("");
        JsonNode value = change.path("value");
        switch (field) {
            case "messages" -> {
                String phoneNumberId = value.path("metadata").path("phone_number_id").asText(null);
                JsonNode contacts = value.get("contacts");
                for (JsonNode message : value.path("messages")) {
                    items.add(() -> message(phoneNumberId, message, contacts));
                }
                for (JsonNode status : value.path("statuses")) {
                    items.add(() -> status(status));
                }
            }
            case "phone_number_quality_update" -> items.add(() -> numberState(entry, value,
                    value.path("display_phone_number").asText(null), null, qualityOf(value.path("event").asText(""))));
            case "account_update" -> items.add(() -> numberState(entry, value,
                    value.path("phone_number").asText(null), stateOf(value.path("event").asText("")), null));
            default -> LOG.debugf("ignored webhook field %s", field);
        }
    }

    private Uni<ItemResult> message(String phoneNumberId, JsonNode message, JsonNode contacts) {
        if (phoneNumberId == null) {
            return fail("message without metadata.phone_number_id", message);
        }
        try {
            return inbound.record(MetaMessages.inbound(json, phoneNumberId, message, contacts))
                    .chain(result -> switch (result.outcome()) {
                        case STORED -> Uni.createFrom().item(ItemResult.STORED);
                        case DUPLICATE -> Uni.createFrom().item(ItemResult.DUPLICATE);
                        case UNKNOWN_NUMBER -> unknownNumber(phoneNumberId, message);
                    });
        } catch (IllegalArgumentException e) {
            return fail(e.getMessage(), message);
        }
    }

    private Uni<ItemResult> status(JsonNode status) {
        try {
            return statuses.apply(MetaMessages.status(json, status)).map(result -> switch (result.outcome()) {
                case APPLIED -> ItemResult.STATUS;
                case STALE -> ItemResult.DUPLICATE;
                case UNKNOWN_MESSAGE, UNKNOWN_STATUS -> {
                    LOG.debugf("status %s for an unknown message or of an unknown kind", status.path("status"));
                    yield ItemResult.IGNORED;
                }
            });
        } catch (IllegalArgumentException e) {
            return fail(e.getMessage(), status);
        }
    }

    private Uni<ItemResult> numberState(JsonNode entry, JsonNode value, String number, String state, String quality) {
        String reason = value.path("event").asText(null);
        return numberStates.apply(entry.path("id").asText(""), number, state, quality, reason)
                .chain(changed -> changed.isEmpty() ? unknownNumber(entry.path("id").asText(""), value)
                        : Uni.createFrom().item(ItemResult.STORED));
    }

    /** Meta's quality events as a traffic-light rating; others keep the rating. */
    private static String qualityOf(String event) {
        return switch (event) {
            case "FLAGGED", "DOWNGRADE" -> "RED";
            case "UNFLAGGED", "UPGRADE" -> "GREEN";
            default -> null;
        };
    }

    /** Account events that change whether the number can be used. */
    private static String stateOf(String event) {
        return switch (event) {
            case "DISABLED_UPDATE", "ACCOUNT_DELETED" -> "DISABLED";
            case "ACCOUNT_RESTRICTION", "ACCOUNT_VIOLATION" -> "RESTRICTED";
            case "ACCOUNT_UPDATE", "VERIFIED_ACCOUNT", "PARTNER_ADDED" -> "CONNECTED";
            default -> null;
        };
    }

    private Uni<ItemResult> unknownNumber(String id, JsonNode item) {
        LOG.warnf("webhook for number %s that no tenant owns: kept in webhook_failure", id);
        return fail("unknown_number " + id, item);
    }

    private Uni<ItemResult> fail(String reason, JsonNode item) {
        return pool.preparedQuery("insert into webhook_failure (reason, item) values ($1, cast($2::text as jsonb))")
                .execute(Tuple.of(reason, item.toString()))
                .replaceWith(ItemResult.FAILED);
    }

    private static Outcome count(List<ItemResult> results) {
        Map<ItemResult, Long> n = new EnumMap<>(ItemResult.class);
        results.forEach(r -> n.merge(r, 1L, Long::sum));
        return new Outcome(n.getOrDefault(ItemResult.STORED, 0L).intValue(),
                n.getOrDefault(ItemResult.DUPLICATE, 0L).intValue(), n.getOrDefault(ItemResult.STATUS, 0L).intValue(),
                n.getOrDefault(ItemResult.IGNORED, 0L).intValue(), n.getOrDefault(ItemResult.FAILED, 0L).intValue());
    }
}
