package io.wagateway.fanout;

import java.util.List;

/**
 * The port through which the fan-out reaches this instance's connections; the gateway's connection
 * registry implements it. The fan-out decides what to deliver and in which order; the implementation
 * decides who is entitled to each event and writes it.
 */
public interface Subscribers {

    /**
     * Committed durable events of one tenant, in seq order and without a gap since the previous call
     * for that tenant: each goes to every local connection entitled to it. Called on the fan-out
     * context only, so calls never overlap.
     */
    void deliver(List<DurableEvent> events);

    /** An ephemeral event for the matching local connections. */
    void deliver(Ephemeral event);

    /** Whether a connection of the tenant is open here. */
    boolean hasTenant(String tenant);
}
