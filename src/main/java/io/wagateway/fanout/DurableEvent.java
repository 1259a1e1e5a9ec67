package io.wagateway.fanout;

import java.util.UUID;

/**
 * A committed event of the durable log. {@code payloadJson} is the {@code data} exactly as stored,
 * so that live delivery and replay send the same thing.
 *
 * @param committedNanos {@link System#nanoTime()} at its commit as far as this instance knows it, or
 *                       {@link #UNKNOWN}: for the push-latency metric only
 * @param fromTable      read from the event table (committed elsewhere, or a gap filled) rather
 *                       than handed over in memory by the committing code
 */
public record DurableEvent(String tenant, long seq, String name, Audience audience, UUID conversationId,
                           UUID contactId, String userId, String payloadJson, long committedNanos,
                           boolean fromTable) {

    public static final long UNKNOWN = Long.MIN_VALUE;

    public DurableEvent(String tenant, long seq, String name, Audience audience, UUID conversationId,
                        UUID contactId, String userId, String payloadJson) {
        this(tenant, seq, name, audience, conversationId, contactId, userId, payloadJson, UNKNOWN, false);
    }

    /** This event, committed at {@code nanos} (System.nanoTime()) on this instance. */
    DurableEvent committedAt(long nanos) {
        return new DurableEvent(tenant, seq, name, audience, conversationId, contactId, userId, payloadJson, nanos,
                false);
    }

    /** The wire frame, built once per event and shared by every receiving connection. */
    public String frame() {
        return "{\"event\":\"" + name + "\",\"seq\":" + seq + ",\"data\":" + payloadJson + "}";
    }
}
