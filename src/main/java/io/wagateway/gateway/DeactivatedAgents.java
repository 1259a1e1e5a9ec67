package io.wagateway.gateway;

import io.quarkus.scheduler.Scheduled;
import io.quarkus.websockets.next.CloseReason;
import io.wagateway.agent.AgentDeactivated;
import io.wagateway.agent.AgentService;
import io.wagateway.protocol.CloseCodes;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * Closes the connections of deactivated agents with 4403 (PROTOCOL.md 6.6, 6.8): at once when this
 * replica learns of a deactivation, and on every directory refresh for a connection whose upgrade
 * was admitted just before it (the upgrade check refuses the agent's token from then on).
 */
@ApplicationScoped
class DeactivatedAgents {

    private static final Logger LOG = Logger.getLogger(DeactivatedAgents.class);

    private final ConnectionRegistry registry;
    private final AgentService agents;

    DeactivatedAgents(ConnectionRegistry registry, AgentService agents) {
        this.registry = registry;
        this.agents = agents;
    }

    void deactivated(@Observes AgentDeactivated agent) {
        for (ClientSession session : registry.all()) {
            if (session.tenant().equals(agent.tenant()) && session.identity().userId().equals(agent.agentId())) {
                close(session);
            }
        }
    }

    @Scheduled(every = "${app.agents.directory-refresh-interval}", delayed = "3s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void sweep() {
        for (ClientSession session : registry.all()) {
            if (agents.isDeactivated(session.tenant(), session.identity().userId())) {
                close(session);
            }
        }
    }

    private static void close(ClientSession session) {
        session.connection().close(new CloseReason(CloseCodes.DISABLED, "agent deactivated")).subscribe().with(ok -> {
        }, failure -> LOG.debugf("close of %s failed: %s", session.id(), failure));
    }
}
