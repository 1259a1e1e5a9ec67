package io.wagateway.agent;

/**
 * Fired (CDI event) when this replica learns that an agent was deactivated, by an admin here or
 * (through {@link AgentService#refreshDeactivated}) on another replica: the gateway closes the
 * agent's connections with 4403.
 */
public record AgentDeactivated(String tenant, String agentId) {}
