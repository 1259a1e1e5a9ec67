package io.wagateway.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.smallrye.mutiny.Uni;
import io.wagateway.config.AppConfig;
import io.wagateway.config.JsonText;
import io.wagateway.metrics.GatewayMetrics;
import io.wagateway.protocol.ClientEvent;
import io.wagateway.protocol.ErrorCode;
import io.wagateway.protocol.ProtocolException;
import io.wagateway.protocol.ServerFrame;
import io.wagateway.protocol.WhatsAppException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import org.jboss.logging.Logger;

import java.util.Comparator;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Turns one text frame into one handled request: parse the envelope, check the rate limit,
 * decode and validate {@code data}, run the request, answer. Nothing a client sends closes the
 * connection here; every refusal is an {@code error} event or a {@code success: false} answer.
 */
@ApplicationScoped
public class RequestDispatcher {

    private static final Logger LOG = Logger.getLogger(RequestDispatcher.class);
    private static final int MAX_REQUEST_ID = 64;

    private final ObjectMapper json;
    private final Validator validator;
    private final GatewayMetrics metrics;
    private final ClientRequests.Routes routes = new ClientRequests.Routes();
    private final String rateLimitMessage;

    public RequestDispatcher(ObjectMapper json, Validator validator, GatewayMetrics metrics, AppConfig config,
                             @Any Instance<ClientRequests> features) {
        this.json = json;
        this.validator = validator;
        this.metrics = metrics;
        features.forEach(feature -> feature.register(routes));
        this.rateLimitMessage = "too many events: at most " + config.ws().rateLimitPerSecond()
                + " a second, bursts of " + config.ws().rateLimitBurst();
    }

    /** Every client event this gateway handles, by wire name. */
    public Set<String> events() {
        return routes.events();
    }

    /** The client events that answer nothing when they succeed (their failures are error events). */
    public Set<String> silentEvents() {
        return routes.silent();
    }

    /** Every answer event of those requests, by wire name. */
    public Set<String> answers() {
        return routes.answers();
    }

    /** The decoded envelope of a client frame. */
    record Request(ClientRequests.Route<?> route, String requestId, ClientEvent data) {

        String event() {
            return route.event();
        }
    }

    public Uni<Void> dispatch(ClientSession session, String frame) {
        Request request;
        try {
            request = decode(frame, session);
        } catch (Refusal refused) {
            metrics.eventIn("rejected");
            metrics.eventOut("error", 1);
            return session.sendText(encode(ServerFrame.error(refused.requestId, refused.code(), refused.getMessage())));
        }
        metrics.eventIn(request.event());
        return Uni.createFrom().deferred(() -> request.route().handle(session, request.data(), request.requestId()))
                .onFailure().recoverWithItem(failure -> failureFrame(request, request.route().failureAnswer(), failure))
                .chain(reply -> {
                    if (reply == null) {
                        return Uni.createFrom().voidItem();
                    }
                    metrics.eventOut(reply.event(), 1);
                    return session.sendText(encode(reply));
                });
    }

    /** Envelope, rate limit, event name, data type and constraints: all checked before anything runs. */
    private Request decode(String frame, ClientSession session) {
        JsonNode root;
        try {
            root = json.readTree(frame);
        } catch (JsonProcessingException e) {
            throw new Refusal(ErrorCode.BAD_REQUEST, "frame is not valid JSON", null);
        }
        if (root == null || !root.isObject()) {
            throw new Refusal(ErrorCode.BAD_REQUEST, "frame must be a JSON object", null);
        }
        JsonNode idNode = root.get("requestId");
        String requestId = null;
        if (idNode != null && !idNode.isNull()) {
            if (!idNode.isTextual() || idNode.textValue().length() > MAX_REQUEST_ID) {
                throw new Refusal(ErrorCode.BAD_REQUEST, "requestId must be a string of at most 64 characters", null);
            }
            requestId = idNode.textValue();
        }
        if (frame.contains("\\u0000")) {
            // PostgreSQL text cannot hold NUL; refuse it here once rather than in every query (answered
            // with the requestId, unless the NUL is in it)
            throw new Refusal(ErrorCode.BAD_REQUEST, "strings must not contain NUL characters",
                    requestId == null || requestId.indexOf('\u0000') >= 0 ? null : requestId);
        }
        if (!session.tryAcquire()) {
            metrics.rateLimited();
            throw new Refusal(ErrorCode.RATE_LIMITED, rateLimitMessage, requestId);
        }
        JsonNode eventNode = root.get("event");
        if (eventNode == null || !eventNode.isTextual() || eventNode.textValue().isBlank()) {
            throw new Refusal(ErrorCode.BAD_REQUEST, "frame has no event", requestId);
        }
        String event = eventNode.textValue();
        ClientRequests.Route<?> route = routes.find(event);
        if (route == null) {
            throw new Refusal(ErrorCode.UNKNOWN_EVENT, "unknown event: " + truncate(event), requestId);
        }
        JsonNode dataNode = root.get("data");
        if (dataNode == null || dataNode.isNull()) {
            dataNode = JsonNodeFactory.instance.objectNode();
        } else if (!dataNode.isObject()) {
            throw new Refusal(ErrorCode.BAD_REQUEST, "data must be a JSON object", requestId);
        }
        ClientEvent data;
        try {
            data = json.treeToValue(dataNode, route.type());
        } catch (MismatchedInputException e) {
            throw new Refusal(ErrorCode.BAD_REQUEST, "field " + path(e) + " has the wrong type", requestId);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new Refusal(ErrorCode.BAD_REQUEST, "data does not match " + event, requestId);
        }
        Set<ConstraintViolation<ClientEvent>> violations = validator.validate(data);
        if (!violations.isEmpty()) {
            throw new Refusal(ErrorCode.BAD_REQUEST, violations.stream()
                    .sorted(Comparator.comparing(v -> v.getPropertyPath().toString()))
                    .map(v -> v.getPropertyPath() + " " + v.getMessage())
                    .collect(Collectors.joining("; ")), requestId);
        }
        return new Request(route, requestId, data);
    }

    private ServerFrame failureFrame(Request request, String answer, Throwable failure) {
        ServerFrame.ErrorBody error;
        if (failure instanceof WhatsAppException w) {
            error = new ServerFrame.ErrorBody(w.code(), w.getMessage(), w.metaCode() == 0 ? null : w.metaCode(),
                    w.details());
        } else if (failure instanceof ProtocolException p) {
            error = new ServerFrame.ErrorBody(p.code(), p.getMessage());
        } else {
            LOG.errorf(failure, "%s failed", request.event());
            error = new ServerFrame.ErrorBody(ErrorCode.INTERNAL, "internal error");
        }
        return answer == null ? new ServerFrame("error", request.requestId(), null, error)
                : new ServerFrame(answer, request.requestId(), null, ServerFrame.Answer.failed(error));
    }

    private String encode(ServerFrame frame) {
        return JsonText.of(json, frame);
    }

    private static String path(MismatchedInputException e) {
        String path = e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining("."));
        return path.isEmpty() ? "data" : path;
    }

    private static String truncate(String value) {
        return value.length() <= 64 ? value : value.substring(0, 64) + "...";
    }

    /** A frame refused before it ran: answered with the {@code error} event. */
    private static final class Refusal extends ProtocolException {
        private final String requestId;

        Refusal(ErrorCode code, String message, String requestId) {
            super(code, message);
            this.requestId = requestId;
        }
    }
}
