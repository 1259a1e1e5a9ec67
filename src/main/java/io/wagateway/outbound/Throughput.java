package io.wagateway.outbound;

import io.wagateway.config.AppConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Paces sends per number at {@code app.whatsapp.messages-per-second} by queueing, never by
 * failing: each send gets the next free slot. Per instance; with N replicas sending for the
 * same number, configure the rate divided by N.
 */
@ApplicationScoped
public class Throughput {

    private final long spacingNanos;
    private final ConcurrentMap<String, long[]> nextSlot = new ConcurrentHashMap<>();

    public Throughput(AppConfig config) {
        this.spacingNanos = 1_000_000_000L / Math.max(1, config.whatsapp().messagesPerSecond());
    }

    /** Reserves a slot for the number; returns how long to wait for it, in nanoseconds. */
    public long reserve(String phoneNumberId) {
        long[] slot = nextSlot.computeIfAbsent(phoneNumberId, id -> new long[] {0});
        synchronized (slot) {
            long now = System.nanoTime();
            long at = Math.max(now, slot[0]);
            slot[0] = at + spacingNanos;
            return at - now;
        }
    }
}
