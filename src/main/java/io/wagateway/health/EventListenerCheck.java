package io.wagateway.health;

import io.wagateway.fanout.EventBus;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness only: an instance that does not hear the other instances still works for its own
 * connections but delivers their events late (by the periodic catch-up), so it should not take
 * new connections. Never liveness: restarting the pod would not bring the database back.
 */
@Readiness
@ApplicationScoped
public class EventListenerCheck implements HealthCheck {

    static final String NAME = "event-listener";

    private final EventBus bus;

    public EventListenerCheck(EventBus bus) {
        this.bus = bus;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named(NAME).status(bus.listening()).build();
    }
}
