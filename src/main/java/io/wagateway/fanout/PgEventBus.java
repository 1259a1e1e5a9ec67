package io.wagateway.fanout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import io.wagateway.config.InstanceId;

/**
 * {@link EventBus} on PostgreSQL LISTEN/NOTIFY. Doorbells are coalesced per tenant for a few
 * milliseconds and sent after commit on a pool connection, never inside the writing transaction
 * (NOTIFY takes a global lock at commit and would serialize the ingestion path). The listener
 * holds one dedicated connection and reconnects forever; after a reconnect the fan-out catches up
 * from the table, so a lost notification delays delivery but never loses an event.
 */
@ApplicationScoped
public class PgEventBus implements EventBus {

    static final String CHANNEL = "wa_gateway_events";
    private static final Logger LOG = Logger.getLogger(PgEventBus.class);
    private static final long COALESCE_MS = 2;
    private static final int MAX_PAYLOAD = 7000; // PostgreSQL refuses NOTIFY payloads of 8000 bytes

    private final Vertx vertx;
    private final Pool pool;
    private final ObjectMapper json;
    private final String instance;
    private final PgConnectOptions listenOptions;
    private final Map<String, Long> pendingRings = new HashMap<>();
    private boolean flushScheduled;
    private PgSubscriber subscriber;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();

    public PgEventBus(Vertx vertx, Pool pool, ObjectMapper json, InstanceId instanceId,
                      @ConfigProperty(name = "quarkus.datasource.reactive.url") String url,
                      @ConfigProperty(name = "quarkus.datasource.username") Optional<String> user,
                      @ConfigProperty(name = "quarkus.datasource.password") Optional<String> password) {
        this.vertx = vertx;
        this.pool = pool;
        this.json = json;
        this.instance = instanceId.value();
        PgConnectOptions options = PgConnectOptions.fromUri(url.replaceFirst("^vertx-reactive:", ""));
        user.ifPresent(options::setUser);
        password.ifPresent(options::setPassword);
        this.listenOptions = options;
    }

    void start(@Observes StartupEvent event) {
        subscriber = PgSubscriber.subscriber(vertx, listenOptions)
                .reconnectPolicy(attempt -> Math.min(5000L, 100L * (attempt + 1)));
        subscriber.channel(CHANNEL)
                .handler(this::received)
                .subscribeHandler(v -> listeners.forEach(Listener::reconnected));
        subscriber.connect().onFailure(f -> LOG.warnf("event listener could not connect yet: %s", f.getMessage()));
    }

    void stop(@Observes ShutdownEvent event) {
        if (subscriber != null) {
            subscriber.close();
        }
    }

    @Override
    public void listen(Listener listener) {
        listeners.add(listener);
    }

    @Override
    public boolean listening() {
        return subscriber != null && subscriber.actualConnection() != null;
    }

    @Override
    public void ring(String tenant, long seq) {
        synchronized (pendingRings) {
            pendingRings.merge(tenant, seq, Math::max);
            if (flushScheduled) {
                return; // the next flush takes this one too
            }
            flushScheduled = true;
        }
        vertx.setTimer(COALESCE_MS, id -> flushRings());
    }

    @Override
    public void publish(Ephemeral event) {
        ObjectNode payload = json.createObjectNode().put("i", instance);
        ObjectNode x = payload.putObject("x").put("t", event.tenant()).put("f", event.frame());
        if (event.conversationId() != null) {
            x.put("c", event.conversationId().toString());
        }
        if (event.excludeUser() != null) {
            x.put("u", event.excludeUser());
        }
        String text = payload.toString();
        if (text.length() > MAX_PAYLOAD) {
            LOG.warnf("ephemeral %d bytes too large for NOTIFY; delivered on this instance only", text.length());
            return;
        }
        notify(text).subscribe().with(done -> {
        });
    }

    /** In as many notifications as the user ids need (a NOTIFY payload holds 7,000 bytes). */
    @Override
    public void publish(PresenceChange change) {
        List<String> payloads = new ArrayList<>();
        ObjectNode payload = presencePayload(change.tenant());
        int size = payload.toString().length();
        int users = 0;
        for (int i = 0; i < change.online().size() + change.offline().size(); i++) {
            boolean online = i < change.online().size();
            String user = online ? change.online().get(i) : change.offline().get(i - change.online().size());
            // counted as it grows: serializing the whole payload per user is quadratic in a storm
            int entry = TextNode.valueOf(user).toString().getBytes(StandardCharsets.UTF_8).length + 1;
            if (users > 0 && size + entry > MAX_PAYLOAD) {
                payloads.add(payload.toString());
                payload = presencePayload(change.tenant());
                size = payload.toString().length();
                users = 0;
            }
            ((ArrayNode) payload.get("p").get(online ? "on" : "off")).add(user);
            size += entry;
            users++;
        }
        if (users > 0) {
            payloads.add(payload.toString());
        }
        payloads.forEach(text -> notify(text).subscribe().with(done -> {
        }));
    }

    private ObjectNode presencePayload(String tenant) {
        ObjectNode payload = json.createObjectNode().put("i", instance);
        ObjectNode p = payload.putObject("p").put("t", tenant);
        p.putArray("on");
        p.putArray("off");
        return payload;
    }

    /**
     * One doorbell NOTIFY in flight at a time: each is a small transaction of its own (a commit and a
     * WAL flush), so under load the rings that arrive meanwhile go out together in the next one,
     * and the doorbell's cost stays flat however many batches commit.
     */
    private void flushRings() {
        Map<String, Long> batch;
        synchronized (pendingRings) {
            batch = new HashMap<>(pendingRings);
            pendingRings.clear();
        }
        List<String> payloads = new ArrayList<>();
        ObjectNode payload = json.createObjectNode().put("i", instance);
        ArrayNode rings = payload.putArray("r");
        int empty = payload.toString().length();
        int size = empty;
        for (var ring : batch.entrySet()) {
            // counted as it grows, as for presence: serializing the payload after each ring cost 1.5% of a webhook
            size += TextNode.valueOf(ring.getKey()).toString().getBytes(StandardCharsets.UTF_8).length
                    + Long.toString(ring.getValue()).length() + 4;
            rings.addArray().add(ring.getKey()).add(ring.getValue());
            if (size > MAX_PAYLOAD - 200) {
                payloads.add(payload.toString());
                payload = json.createObjectNode().put("i", instance);
                rings = payload.putArray("r");
                size = empty;
            }
        }
        if (!rings.isEmpty()) {
            payloads.add(payload.toString());
        }
        if (payloads.isEmpty()) {
            afterFlush();
            return;
        }
        // side by side, not a chain whose length grows with the number of tenants
        Uni.join().all(payloads.stream().map(this::notify).toList()).andCollectFailures()
                .subscribe().with(done -> afterFlush(), failure -> afterFlush());
    }

    private void afterFlush() {
        synchronized (pendingRings) {
            if (pendingRings.isEmpty()) {
                flushScheduled = false;
                return;
            }
        }
        vertx.setTimer(COALESCE_MS, id -> flushRings());
    }

    private Uni<Void> notify(String payload) {
        return pool.preparedQuery("select pg_notify($1, $2)").execute(Tuple.of(CHANNEL, payload))
                .onFailure().invoke(failure -> LOG.warnf(
                        "NOTIFY failed (other instances catch up on their next check): %s", failure.getMessage()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    private void received(String payload) {
        if (listeners.isEmpty()) {
            return;
        }
        try {
            JsonNode message = json.readTree(payload);
            if (instance.equals(message.path("i").asText())) {
                return; // this instance delivered its own events from memory
            }
            for (JsonNode ring : message.path("r")) {
                listeners.forEach(l -> l.rung(ring.get(0).asText(), ring.get(1).asLong()));
            }
            JsonNode x = message.get("x");
            if (x != null) {
                Ephemeral event = new Ephemeral(x.path("t").asText(), x.path("f").asText(),
                        x.hasNonNull("c") ? UUID.fromString(x.get("c").asText()) : null,
                        x.hasNonNull("u") ? x.get("u").asText() : null);
                listeners.forEach(l -> l.ephemeral(event));
            }
            JsonNode p = message.get("p");
            if (p != null) {
                PresenceChange change = new PresenceChange(p.path("t").asText(), texts(p.path("on")), texts(p.path("off")));
                listeners.forEach(l -> l.presence(change));
            }
        } catch (Exception e) {
            LOG.warnf("ignored a malformed notification: %s", e.getMessage());
        }
    }

    private static List<String> texts(JsonNode array) {
        List<String> values = new ArrayList<>(array.size());
        array.forEach(value -> values.add(value.asText()));
        return values;
    }
}
