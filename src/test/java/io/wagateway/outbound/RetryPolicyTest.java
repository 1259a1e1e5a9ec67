package io.wagateway.outbound;

import io.wagateway.whatsapp.MetaError;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The outbox's backoff: doubling from the first delay, capped, with 0.5x to 1.5x jitter; then final. */
class RetryPolicyTest {

    private static final MetaError OUTAGE = MetaError.network("timed out");

    private static RetryPolicy policy(double random) {
        return new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(10), 5, () -> random);
    }

    @Test
    void delaysDoubleUpToTheCapWithJitter() {
        RetryPolicy middle = policy(0.5); // jitter factor 1.0
        assertEquals(Duration.ofSeconds(1), middle.delayBeforeAttempt(2, OUTAGE));
        assertEquals(Duration.ofSeconds(2), middle.delayBeforeAttempt(3, OUTAGE));
        assertEquals(Duration.ofSeconds(4), middle.delayBeforeAttempt(4, OUTAGE));
        assertEquals(Duration.ofSeconds(8), middle.delayBeforeAttempt(5, OUTAGE));
        assertEquals(Duration.ofMillis(500), policy(0.0).delayBeforeAttempt(2, OUTAGE));
        assertEquals(Duration.ofMillis(1499), policy(0.999).delayBeforeAttempt(2, OUTAGE));
        RetryPolicy capped = new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(10), 50, () -> 0.5);
        assertEquals(Duration.ofSeconds(10), capped.delayBeforeAttempt(30, OUTAGE), "no overflow past 2^20");
    }

    @Test
    void permanentErrorsAndTheLastAttemptAreFinal() {
        assertNull(policy(0.5).delayBeforeAttempt(6, OUTAGE), "five attempts in all");
        assertNull(policy(0.5).delayBeforeAttempt(2, new MetaError(400, 131026, "not on WhatsApp", null)));
    }

    @Test
    void thePairRateLimitWaitsSixSeconds() {
        assertEquals(RetryPolicy.PAIR_RATE_DELAY, policy(0.9).delayBeforeAttempt(2,
                new MetaError(400, 131056, "pair rate limit", null)));
    }
}
