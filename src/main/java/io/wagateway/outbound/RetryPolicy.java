package io.wagateway.outbound;

import io.wagateway.config.AppConfig;
import io.wagateway.whatsapp.MetaError;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * When a failed Graph call is tried again: retryable failures (network, timeout, 5xx, Meta's
 * throttling codes) with exponential backoff and jitter, up to {@code app.whatsapp.max-attempts}
 * attempts in all; Meta's pair rate limit (one message per ~6 s to the same user) after 6 s.
 */
final class RetryPolicy {

    /** Meta's pair limit is about one message per 6 s to the same user. */
    static final Duration PAIR_RATE_DELAY = Duration.ofSeconds(6);

    private final Duration initialDelay;
    private final Duration maxDelay;
    private final int maxAttempts;
    private final DoubleSupplier random;

    RetryPolicy(AppConfig.WhatsApp config) {
        this(config.retryInitialDelay(), config.retryMaxDelay(), config.maxAttempts(),
                () -> ThreadLocalRandom.current().nextDouble());
    }

    /** @param random uniform in [0, 1) */
    RetryPolicy(Duration initialDelay, Duration maxDelay, int maxAttempts, DoubleSupplier random) {
        this.initialDelay = initialDelay;
        this.maxDelay = maxDelay;
        this.maxAttempts = maxAttempts;
        this.random = random;
    }

    /**
     * @param attempt the attempt to make next, counting from 1 (so at least 2 here)
     * @return the delay before it, or null when the failure is final
     */
    Duration delayBeforeAttempt(int attempt, MetaError failure) {
        if (!failure.retryable() || attempt > maxAttempts) {
            return null;
        }
        if (failure.pairRateLimited()) {
            return PAIR_RATE_DELAY;
        }
        int failures = attempt - 1;
        long base = initialDelay.toMillis() << Math.min(20, failures - 1);
        long capped = Math.min(base, maxDelay.toMillis());
        double jitter = 0.5 + random.getAsDouble(); // 0.5x .. 1.5x
        return Duration.ofMillis(Math.max(1, (long) (capped * jitter)));
    }

    /** The error as the outbox row's {@code last_error} keeps it. */
    static String describe(MetaError error) {
        return (error.code() != 0 ? "(#" + error.code() + ") " : "") + error.getMessage();
    }
}
