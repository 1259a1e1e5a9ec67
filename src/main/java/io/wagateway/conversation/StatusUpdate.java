package io.wagateway.conversation;

import java.time.Instant;
import java.util.Map;

/**
 * A delivery status of an outbound message, as Meta reports it.
 *
 * @param callbackData Meta's echo of {@code biz_opaque_callback_data}: our message id, used to
 *                     reconcile a send whose WhatsApp id was never stored
 */
public record StatusUpdate(String waMessageId, String status, Instant timestamp, Map<String, Object> error,
                           String callbackData) {}
