package io.wagateway.gateway;

/**
 * Per-connection rate limit: {@code ratePerSecond} sustained, bursts up to {@code capacity}.
 * A connection's frames are handled one at a time, but the synchronized keeps it correct
 * whatever thread calls it.
 */
final class TokenBucket {

    private final double ratePerNano;
    private final double capacity;
    private double tokens;
    private long refilledAt;

    TokenBucket(int ratePerSecond, int capacity) {
        this.ratePerNano = ratePerSecond / 1_000_000_000d;
        this.capacity = capacity;
        this.tokens = capacity;
        this.refilledAt = System.nanoTime();
    }

    synchronized boolean tryAcquire() {
        long now = System.nanoTime();
        tokens = Math.min(capacity, tokens + (now - refilledAt) * ratePerNano);
        refilledAt = now;
        if (tokens < 1) {
            return false;
        }
        tokens -= 1;
        return true;
    }
}
