package io.wagateway.whatsapp;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which Graph failures are tried again (whatsapp-cloud-api.md section 4) and which open the read breaker. */
class MetaErrorTest {

    @Test
    void transientFailuresAreRetriedPermanentOnesAreNot() {
        assertTrue(MetaError.network("timed out").retryable());
        assertTrue(new MetaError(500, 0, "Internal", null).retryable());
        assertTrue(new MetaError(503, 0, "Unavailable", null).retryable());
        assertTrue(new MetaError(429, 0, "Too many", null).retryable());
        for (int code : new int[] {1, 2, 4, 80007, 130429, 131000, 131016, 131056}) {
            assertTrue(new MetaError(400, code, "throttled or transient", null).retryable(), "code " + code);
        }
        // a Meta code decides over the HTTP status: invalid parameter, not on WhatsApp, re-engagement, bad token
        for (int code : new int[] {100, 131026, 131047, 190, 131051}) {
            assertFalse(new MetaError(500, code, "permanent", null).retryable(), "code " + code);
        }
        assertFalse(new MetaError(400, 0, "Bad request", null).retryable());
        assertFalse(new MetaError(401, 0, "Unauthorized", null).retryable());
    }

    @Test
    void onlyOutagesCountAsUnavailable() {
        assertTrue(MetaError.network("unreachable").unavailable());
        assertTrue(new MetaError(502, 0, "Bad gateway", null).unavailable());
        assertFalse(new MetaError(429, 130429, "throttled", null).unavailable());
        assertFalse(new MetaError(400, 100, "Invalid parameter", null).unavailable());
    }

    @Test
    void thePairLimitAndTokenRejectionAreRecognised() {
        assertTrue(new MetaError(400, 131056, "pair rate limit", null).pairRateLimited());
        assertTrue(new MetaError(401, 190, "expired token", null).tokenRejected());
        assertTrue(new MetaError(401, 0, "Unauthorized", null).tokenRejected());
        assertFalse(new MetaError(400, 100, "Invalid parameter", null).tokenRejected());
    }
}
