package io.wagateway.fanout;

/**
 * How instances tell each other that something happened. The durable event table is the truth;
 * the bus is only a doorbell (tenant, seq) plus best-effort ephemeral events. PostgreSQL
 * LISTEN/NOTIFY implements it today; Kafka, NATS or Redis could replace it behind this interface.
 */
public interface EventBus {

    /** Tell other instances that the tenant's log reached {@code seq}. Coalesced; call after commit. */
    void ring(String tenant, long seq);

    /** Deliver an ephemeral event on the other instances. */
    void publish(Ephemeral event);

    /** Tell the other instances that users went online or offline. */
    void publish(PresenceChange change);

    /** Whether this instance currently hears the other instances. */
    boolean listening();

    /** What an instance does with what it hears; each listener takes what concerns it. */
    interface Listener {
        default void rung(String tenant, long seq) {
        }

        default void ephemeral(Ephemeral event) {
        }

        default void presence(PresenceChange change) {
        }

        /** The listener (re)connected: notifications may have been missed meanwhile. */
        default void reconnected() {
        }
    }

    /** Adds a listener; every listener hears every notification from the other instances. */
    void listen(Listener listener);
}
