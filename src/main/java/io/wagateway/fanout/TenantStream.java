package io.wagateway.fanout;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * In-order delivery state of one tenant on this instance. Touched only on the fan-out context,
 * so it needs no locks.
 */
final class TenantStream {

    final String tenant;
    /** Highest seq handed to the connections; -1 until read from the database. */
    long delivered = -1;
    /** Committed events that arrived ahead of a missing predecessor. */
    final TreeMap<Long, DurableEvent> waiting = new TreeMap<>();
    /** Highest seq known to exist (from doorbells and local commits). */
    long known;
    boolean fetching;
    long gapTimer = -1;
    final List<Runnable> whenReady = new ArrayList<>();

    TenantStream(String tenant) {
        this.tenant = tenant;
    }

    boolean ready() {
        return delivered >= 0;
    }
}
