package io.wagateway.fanout;

import java.util.List;

/**
 * Users of a tenant whose presence flipped, across all instances (first connection anywhere
 * opened, last one anywhere closed), as one instance decided it. Every instance turns these into
 * frames for its own connections at its own pace (PROTOCOL.md 6.5).
 */
public record PresenceChange(String tenant, List<String> online, List<String> offline) {}
