package io.wagateway.presence;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.wagateway.config.AppConfig;
import io.wagateway.config.JsonText;
import io.wagateway.fanout.Ephemeral;
import io.wagateway.fanout.PresenceChange;
import io.wagateway.fanout.Subscribers;
import io.wagateway.protocol.ServerFrame;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns presence flips into frames for this instance's connections (PROTOCOL.md 6.5). Every
 * connection of a tenant gets the same presence frames, so the per-connection limit
 * ({@code app.presence.max-frames-per-second}) is kept per tenant: a flip goes out at once as
 * {@code user_online}/{@code user_offline} while the tenant is under the limit; past it, flips
 * are summed up into one {@code presence_changed} per interval. A burst of n users then costs a
 * few frames per connection instead of n.
 */
@ApplicationScoped
public class PresenceFrames {

    private final Subscribers subscribers;
    private final ObjectMapper json;
    private final Vertx vertx;
    private final double framesPerNano;
    private final Map<String, TenantPace> tenants = new HashMap<>();

    public PresenceFrames(Subscribers subscribers, ObjectMapper json, Vertx vertx, AppConfig config) {
        this.subscribers = subscribers;
        this.json = json;
        this.vertx = vertx;
        this.framesPerNano = Math.max(1, config.presence().maxFramesPerSecond()) / 1e9;
    }

    /** The frames budget of one tenant and the flips waiting for the next frame. */
    private static final class TenantPace {
        double tokens;
        long refilledAt = System.nanoTime();
        /** userId -> online, in the order they flipped; the latest flip of a user wins. */
        final Map<String, Boolean> waiting = new LinkedHashMap<>();
        boolean flushScheduled;

        TenantPace(double tokens) {
            this.tokens = tokens;
        }
    }

    /** Flips decided here or heard from another instance; any thread. */
    public void changed(PresenceChange change) {
        if (!subscribers.hasTenant(change.tenant())) {
            return;
        }
        synchronized (tenants) {
            TenantPace pace = tenants.computeIfAbsent(change.tenant(), t -> new TenantPace(capacity()));
            change.online().forEach(user -> pace.waiting.put(user, true));
            change.offline().forEach(user -> pace.waiting.put(user, false));
            refill(pace);
            if (pace.tokens >= 1 && !pace.flushScheduled) {
                send(change.tenant(), pace);
            } else if (!pace.flushScheduled) {
                pace.flushScheduled = true;
                long waitMs = Math.max(1, (long) Math.ceil((1 - pace.tokens) / framesPerNano / 1e6));
                vertx.setTimer(waitMs, id -> flush(change.tenant()));
            }
        }
    }

    private void flush(String tenant) {
        synchronized (tenants) {
            TenantPace pace = tenants.get(tenant);
            pace.flushScheduled = false;
            refill(pace);
            send(tenant, pace);
        }
    }

    /** One frame with everything waiting; forgets the tenant once its budget is whole again. */
    private void send(String tenant, TenantPace pace) {
        if (pace.waiting.isEmpty()) {
            return;
        }
        pace.tokens -= 1;
        String timestamp = Instant.now().toString();
        String frame;
        if (pace.waiting.size() == 1) {
            Map.Entry<String, Boolean> flip = pace.waiting.entrySet().iterator().next();
            frame = JsonText.of(json, ServerFrame.push(flip.getValue() ? "user_online" : "user_offline",
                    Map.of("userId", flip.getKey(), "timestamp", timestamp)));
        } else {
            List<String> online = new ArrayList<>();
            List<String> offline = new ArrayList<>();
            pace.waiting.forEach((user, on) -> (on ? online : offline).add(user));
            frame = JsonText.of(json, ServerFrame.push("presence_changed",
                    Map.of("online", online, "offline", offline, "timestamp", timestamp)));
        }
        pace.waiting.clear();
        subscribers.deliver(new Ephemeral(tenant, frame, null, null));
    }

    private void refill(TenantPace pace) {
        long now = System.nanoTime();
        pace.tokens = Math.min(capacity(), pace.tokens + (now - pace.refilledAt) * framesPerNano);
        pace.refilledAt = now;
    }

    /** A burst allowance of one second's frames. */
    private double capacity() {
        return framesPerNano * 1e9;
    }
}
