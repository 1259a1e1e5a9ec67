package io.wagateway.fanout;

import io.wagateway.gateway.ConnectionRegistry;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/** Hands committed durable events to the connections of this instance. Call only after commit. */
@ApplicationScoped
public class EventPublisher {

    private final ConnectionRegistry connections;

    public EventPublisher(ConnectionRegistry connections) {
        this.connections = connections;
    }

    public void publishCommitted(List<DurableEvent> events) {
        events.forEach(connections::deliver);
    }
}
