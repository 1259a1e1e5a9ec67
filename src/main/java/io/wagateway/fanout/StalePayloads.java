package io.wagateway.fanout;

import java.util.List;

/**
 * What a replayed event carries that goes stale with time: a {@code resume} may replay an event
 * hours after it was stored, and a feature whose payloads hold short-lived parts (media's signed
 * URLs) renews them here. Live delivery is not passed through it: it happens right after commit.
 */
public interface StalePayloads {

    /** The page as it is to be replayed now; events it does not concern are returned as they are. */
    List<DurableEvent> renew(List<DurableEvent> page);
}
