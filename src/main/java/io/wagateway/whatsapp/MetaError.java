package io.wagateway.whatsapp;

import java.util.Set;

/**
 * A failed Graph API call, classified. Never carries the access token: the message is Meta's
 * text, which does not contain it, and the transport errors are our own words.
 *
 * @param status  HTTP status, or 0 for a network error or timeout
 * @param code    Meta's error code, or 0 when there was none
 */
public final class MetaError extends RuntimeException {

    /** Throttling and transient codes worth another try (reference: whatsapp-cloud-api.md section 4). */
    private static final Set<Integer> RETRYABLE = Set.of(1, 2, 4, 80007, 130429, 131000, 131016, 131056);

    private final int status;
    private final int code;
    private final String details;

    public MetaError(int status, int code, String message, String details) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.details = details;
    }

    public static MetaError network(String what) {
        return new MetaError(0, 0, what, null);
    }

    public int status() {
        return status;
    }

    public int code() {
        return code;
    }

    public String details() {
        return details;
    }

    /** Network errors, timeouts, 5xx and Meta's throttling codes; never permanent errors. */
    public boolean retryable() {
        if (code != 0) {
            return RETRYABLE.contains(code);
        }
        return status == 0 || status >= 500 || status == 429;
    }

    /** Meta could not be reached or failed itself (network, timeout, 5xx): what opens the read breaker. */
    public boolean unavailable() {
        return status == 0 || status >= 500;
    }

    /** The recipient-specific pair limit: retry later for that recipient only. */
    public boolean pairRateLimited() {
        return code == 131056;
    }

    /** The token was rejected: the number is disconnected until someone rotates it. */
    public boolean tokenRejected() {
        return code == 190 || status == 401;
    }
}
