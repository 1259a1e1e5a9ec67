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

    /** Whether this instance currently hears the other instances. */
    boolean listening();

    /** What an instance does with what it hears. */
    interface Listener {
        void rung(String tenant, long seq);

        void ephemeral(Ephemeral event);

        /** The listener (re)connected: notifications may have been missed meanwhile. */
        void reconnected();
    }

    void listen(Listener listener);
}
