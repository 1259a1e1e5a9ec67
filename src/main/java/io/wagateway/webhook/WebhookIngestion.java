package io.wagateway.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.wagateway.conversation.InboundMessageService;
import io.wagateway.conversation.MessageStatusService;
import io.wagateway.phonenumber.NumberStateService;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.EnumMap;

/**
 * Turns one verified delivery into stored state: every entry, change, message and status of the
 * batch, each in its own transaction, so that one bad item never drops the others. An item that
 * cannot be understood is kept in {@code webhook_failure}, as a delivery of that item alone, for
 * its tenant's admins to list and replay ({@link WebhookFailures}); one that names a number no
 * tenant owns is only counted ({@code unknown_number}): nobody could replay it, and keeping it would
 * let anyone with a Meta app fill the table. A storage failure fails the whole delivery (5xx) so
 * that Meta delivers it again; what was stored already is deduplicated then.
 */
@ApplicationScoped
public class WebhookIngestion {

    private static final Logger LOG = Logger.getLogger(WebhookIngestion.class);

    /** What a delivery came to. */
    public record Outcome(int stored, int duplicates, int statuses, int ignored, int failed, int unknownNumber) {}

    /** What a replayed delivery came to, and why its items failed again. */
    public record Replayed(Outcome outcome, List<String> failures) {}

    private enum ItemResult { STORED, DUPLICATE, STATUS, IGNORED, FAILED, UNKNOWN_NUMBER }

    /** Where an item that could not be stored goes: the failure table, or a replay's answer. */
    private interface Failures {
        Uni<Void> keep(WebhookFailureStore.Failed failed);
    }

    private final ObjectMapper json;
    private final InboundMessageService inbound;
    private final MessageStatusService statuses;
    private final NumberStateService numberStates;
    private final WebhookFailureStore kept;
    private final Map<String, Long> unknownNumbersWarned = new ConcurrentHashMap<>();

    public WebhookIngestion(ObjectMapper json, InboundMessageService inbound, MessageStatusService statuses,
                            NumberStateService numberStates, WebhookFailureStore failures) {
        this.kept = failures;
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
            return kept.insert(new WebhookFailureStore.Failed("malformed delivery", null, null,
                            // jsonb cannot hold NUL: a signed body with a NUL byte would fail at every retry
                            json.createObjectNode().put("raw", new String(body, StandardCharsets.UTF_8)
                                    .replace("\u0000", ""))))
                    .replaceWith(new Outcome(0, 0, 0, 0, 1, 0));
        }
        return ingest(root, kept::insert);
    }

    /**
     * A kept delivery again (an admin's replay): stored as if Meta had sent it now, deduplicated as
     * usual; an item that fails again is answered, not kept a second time.
     */
    public Uni<Replayed> replay(JsonNode delivery) {
        List<String> reasons = new ArrayList<>();
        return ingest(delivery, failed -> {
            reasons.add(failed.reason());
            return Uni.createFrom().voidItem();
        }).map(outcome -> new Replayed(outcome, reasons));
    }

    private Uni<Outcome> ingest(JsonNode root, Failures failures) {
        List<Supplier<Uni<ItemResult>>> items = new ArrayList<>();
        for (JsonNode entry : root.path("entry")) {
            for (JsonNode change : entry.path("changes")) {
                collect(entry, change, items, failures);
            }
        }
        return Multi.createFrom().iterable(items)
                .onItem().transformToUniAndConcatenate(Supplier::get)
                .collect().asList()
                .map(WebhookIngestion::count);
    }

    private void collect(JsonNode entry, JsonNode change, List<Supplier<Uni<ItemResult>>> items, Failures failures) {
        String field = change.path("field").asText("");
        JsonNode value = change.path("value");
        switch (field) {
            case "messages" -> {
                String phoneNumberId = value.path("metadata").path("phone_number_id").asText(null);
                JsonNode contacts = value.get("contacts");
                for (JsonNode message : value.path("messages")) {
                    items.add(() -> message(phoneNumberId, message, contacts, reason -> failures.keep(
                            new WebhookFailureStore.Failed(reason, phoneNumberId, alone(entry, value, "messages", message),
                                    message)).replaceWith(ItemResult.FAILED)));
                }
                for (JsonNode status : value.path("statuses")) {
                    items.add(() -> status(status, reason -> failures.keep(
                            new WebhookFailureStore.Failed(reason, phoneNumberId, alone(entry, value, "statuses", status),
                                    status)).replaceWith(ItemResult.FAILED)));
                }
            }
            case "phone_number_quality_update" -> items.add(() -> numberState(entry, value,
                    value.path("display_phone_number").asText(null), null, qualityOf(value.path("event").asText(""))));
            case "account_update" -> items.add(() -> numberState(entry, value,
                    value.path("phone_number").asText(null), stateOf(value.path("event").asText("")), null));
            default -> LOG.debugf("ignored webhook field %s", field);
        }
    }

    /** A delivery of one message or status of a change, with the change's metadata and contacts: what a replay ingests. */
    private JsonNode alone(JsonNode entry, JsonNode value, String kind, JsonNode item) {
        ObjectNode alone = json.createObjectNode();
        alone.put("messaging_product", "whatsapp").set("metadata", value.path("metadata"));
        if (value.has("contacts") && kind.equals("messages")) {
            alone.set("contacts", value.get("contacts"));
        }
        alone.putArray(kind).add(item);
        ObjectNode change = json.createObjectNode().put("field", "messages");
        change.set("value", alone);
        ObjectNode delivery = json.createObjectNode().put("object", "whatsapp_business_account");
        ObjectNode single = delivery.putArray("entry").addObject().put("id", entry.path("id").asText(""));
        single.putArray("changes").add(change);
        return delivery;
    }

    private Uni<ItemResult> message(String phoneNumberId, JsonNode message, JsonNode contacts,
                                    Function<String, Uni<ItemResult>> fail) {
        if (phoneNumberId == null) {
            return fail.apply("message without metadata.phone_number_id");
        }
        try {
            return inbound.record(MetaMessages.inbound(json, phoneNumberId, message, contacts))
                    .chain(result -> switch (result.outcome()) {
                        case STORED -> Uni.createFrom().item(ItemResult.STORED);
                        case DUPLICATE -> Uni.createFrom().item(ItemResult.DUPLICATE);
                        case UNKNOWN_NUMBER -> Uni.createFrom().item(unknownNumber(phoneNumberId));
                    });
        } catch (IllegalArgumentException e) {
            return fail.apply(e.getMessage());
        }
    }

    private Uni<ItemResult> status(JsonNode status, Function<String, Uni<ItemResult>> fail) {
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
            return fail.apply(e.getMessage());
        }
    }

    private Uni<ItemResult> numberState(JsonNode entry, JsonNode value, String number, String state, String quality) {
        String reason = value.path("event").asText(null);
        return numberStates.apply(entry.path("id").asText(""), number, state, quality, reason)
                .map(changed -> changed.isEmpty() ? unknownNumber(entry.path("id").asText(""))
                        : ItemResult.STORED);
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

    /**
     * Counted only (metric {@code wagateway_webhook_items_total{result="unknown_number"}}), see the class
     * comment; logged once a minute per number, so that a number nobody registered is noticed and a
     * flood does not fill the log.
     */
    private ItemResult unknownNumber(String id) {
        long now = System.nanoTime();
        if (unknownNumbersWarned.size() > 1_000) {
            unknownNumbersWarned.clear();
        }
        Long last = unknownNumbersWarned.get(id);
        if (last == null || now - last > TimeUnit.MINUTES.toNanos(1)) {
            unknownNumbersWarned.put(id, now);
            LOG.warnf("webhook items for number %s, which no tenant owns: counted (unknown_number), not kept", id);
        }
        return ItemResult.UNKNOWN_NUMBER;
    }

    private static Outcome count(List<ItemResult> results) {
        Map<ItemResult, Long> n = new EnumMap<>(ItemResult.class);
        results.forEach(r -> n.merge(r, 1L, Long::sum));
        return new Outcome(n.getOrDefault(ItemResult.STORED, 0L).intValue(),
                n.getOrDefault(ItemResult.DUPLICATE, 0L).intValue(), n.getOrDefault(ItemResult.STATUS, 0L).intValue(),
                n.getOrDefault(ItemResult.IGNORED, 0L).intValue(), n.getOrDefault(ItemResult.FAILED, 0L).intValue(),
                n.getOrDefault(ItemResult.UNKNOWN_NUMBER, 0L).intValue());
    }
}
