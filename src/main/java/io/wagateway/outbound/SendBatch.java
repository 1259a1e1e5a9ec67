package io.wagateway.outbound;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.wagateway.outbound.OutboundMessageService.Accepted;
import io.wagateway.outbound.OutboundMessageService.Request;
import io.wagateway.conversation.Ids;
import io.wagateway.media.MediaCatalog;
import io.wagateway.media.MediaRow;
import io.wagateway.protocol.ProtocolException;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * One batch of one tenant's sends, in one transaction. Each step settles some sends in
 * {@code results} (an earlier message, or the ProtocolException that refuses a send); what is
 * left becomes a draft, and the drafts are inserted together at the end.
 */
final class SendBatch {

    private final SendStore store;
    private final MediaCatalog media;
    private final ObjectMapper json;
    private final String tenant;
    private final List<Request> requests;
    private final Object[] results;
    private final Map<UUID, SendTarget> byId;
    private final Map<SendStore.Recipient, SendTarget> byRecipient;
    /** The tenant's phoneNumberIds, the default first. */
    private final List<String> numbers;
    private final List<SendStore.Draft> drafts = new ArrayList<>();
    /** Sends that repeat the clientMessageId of an earlier draft of this batch -> that draft. */
    private final Map<Integer, SendStore.Draft> repeats = new HashMap<>();

    SendBatch(SendStore store, MediaCatalog media, ObjectMapper json, String tenant, List<Request> requests, Map<String, SendStore.Earlier> earlier,
              Map<UUID, SendTarget> byId, Map<SendStore.Recipient, SendTarget> byRecipient, List<String> numbers) {
        this.store = store;
        this.media = media;
        this.json = json;
        this.tenant = tenant;
        this.requests = requests;
        this.results = new Object[requests.size()];
        this.byId = byId;
        this.byRecipient = new HashMap<>(byRecipient);
        this.numbers = numbers;
        for (int i = 0; i < results.length; i++) {
            String clientId = requests.get(i).send().clientMessageId();
            SendStore.Earlier first = clientId == null ? null : earlier.get(clientId);
            if (first != null) { // a retry: answered with the first message
                results[i] = new Accepted(first.messageId(), clientId, first.status(), false, null);
                continue;
            }
            try { // a from that is not the tenant's opens nothing
                SendChecks.sender(requests.get(i).send(), numbers);
            } catch (ProtocolException refused) {
                results[i] = refused;
            }
        }
    }

    String tenant() {
        return tenant;
    }

    List<SendStore.Draft> drafts() {
        return drafts;
    }

    /**
     * Opens a conversation for each recipient of an unsettled send that names none and has none yet
     * with the number the send goes from.
     */
    Uni<SendBatch> openMissing(SqlConnection connection) {
        List<SendStore.Recipient> missing = new ArrayList<>();
        for (int i = 0; i < results.length; i++) {
            Request r = requests.get(i);
            if (results[i] != null || r.send().conversationId() != null) {
                continue;
            }
            String from = SendChecks.sender(r.send(), numbers); // checked in the constructor: cannot throw
            SendStore.Recipient key = new SendStore.Recipient(from, r.to());
            if (from != null && !byRecipient.containsKey(key) && !missing.contains(key)) {
                missing.add(key);
            }
        }
        if (missing.isEmpty()) {
            return Uni.createFrom().item(this);
        }
        return store.open(connection, tenant, missing)
                .chain(() -> store.byRecipients(connection, tenant, missing))
                .map(opened -> {
                    byRecipient.putAll(opened);
                    return this;
                });
    }

    /** Per unsettled send, in order: its checks, then the WhatsApp ids of what it replies or reacts to. */
    Uni<SendBatch> check(SqlConnection connection) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        Map<String, SendStore.Draft> draftsByClientId = new HashMap<>();
        Instant now = Instant.now();
        for (int i = 0; i < results.length; i++) {
            if (results[i] != null) {
                continue;
            }
            int index = i;
            Request r = requests.get(i);
            chain = chain.chain(() -> {
                String clientId = r.send().clientMessageId();
                if (clientId != null && draftsByClientId.containsKey(clientId)) {
                    repeats.put(index, draftsByClientId.get(clientId));
                    return Uni.createFrom().voidItem();
                }
                return Uni.createFrom().deferred(() -> draft(connection, r, now)) // its checks throw
                        .invoke(draft -> {
                            drafts.add(draft);
                            results[index] = draft;
                            if (clientId != null) {
                                draftsByClientId.put(clientId, draft);
                            }
                        })
                        .onFailure(ProtocolException.class).recoverWithItem(failure -> {
                            results[index] = failure;
                            return null;
                        })
                        .replaceWithVoid();
            });
        }
        return chain.replaceWith(this);
    }

    private Uni<SendStore.Draft> draft(SqlConnection connection, Request r, Instant now) {
        SendTarget target = SendChecks.target(r.send(), r.to(), numbers, byId, byRecipient);
        SendChecks.window(r.send(), target, now);
        return wamidOf(connection, target, r.send().replyTo(), "replyTo")
                .chain(reply -> wamidOf(connection, target, SendChecks.reactionTarget(r.send()), "reaction.messageId")
                        .chain(reacted -> upload(connection, r).map(upload -> {
                            UUID messageId = UUID.randomUUID();
                            GraphPayloads.Prepared prepared = GraphPayloads.prepare(json, r.send(), r.to(),
                                    messageId.toString(), reply, reacted, upload);
                            return new SendStore.Draft(SendChecks.message(messageId, r.me(), r.send(), target,
                                    prepared, reply, Instant.now()), target, r.to(), prepared);
                        })));
    }

    /**
     * The gateway media a media send names by its id (an upload: POST /api/media), or null when the id is
     * not the gateway's (a Meta media id, still accepted) or the send has none.
     */
    private Uni<MediaRow> upload(SqlConnection connection, Request r) {
        String type = SendChecks.type(r.send());
        if (!GraphPayloads.isMedia(type) || r.send().media() == null || !r.send().media().path("id").isTextual()) {
            return Uni.createFrom().nullItem();
        }
        String id = r.send().media().path("id").asText();
        Optional<UUID> gatewayId = Ids.parse(id);
        if (gatewayId.isEmpty()) {
            return Uni.createFrom().nullItem(); // Meta's ids are numbers
        }
        return media.find(connection, tenant, gatewayId.get()).map(found -> {
            if (found == null) {
                throw ProtocolException.notFound("media " + id);
            }
            if (found.metaMediaId() == null || !MediaRow.AVAILABLE.equals(found.status())) {
                throw ProtocolException.badField("media.id", "this media was not uploaded for sending: "
                        + "upload the file with POST /api/media and send its mediaId");
            }
            return found;
        });
    }

    private Uni<String> wamidOf(SqlConnection connection, SendTarget target, String reference, String field) {
        if (reference == null) {
            return Uni.createFrom().nullItem();
        }
        return store.wamidOf(connection, target.conversationId(), reference).map(wamid -> {
            if (wamid == null) {
                throw SendChecks.unknownReference(field);
            }
            return wamid;
        });
    }

    /** Results before anything was inserted (every send settled by the checks or earlier messages). */
    List<Object> results() {
        return Arrays.asList(results);
    }

    /** Results once the drafts are stored; {@code jobs} are per draft, in order. */
    List<Object> accepted(List<OutboxJob> jobs) {
        Map<SendStore.Draft, Accepted> stored = new IdentityHashMap<>();
        for (int i = 0; i < drafts.size(); i++) {
            SendStore.Draft d = drafts.get(i);
            stored.put(d, new Accepted(d.message().id, d.message().clientMessageId, "pending", true, jobs.get(i)));
        }
        List<Object> out = new ArrayList<>(results.length);
        for (int i = 0; i < results.length; i++) {
            Object result = results[i];
            if (result instanceof SendStore.Draft d) {
                out.add(stored.get(d));
            } else if (repeats.containsKey(i)) { // a repeat inside the batch gets its first send's message
                SendStore.Draft first = repeats.get(i);
                out.add(new Accepted(first.message().id, first.message().clientMessageId, "pending", false, null));
            } else {
                out.add(result);
            }
        }
        return out;
    }
}
