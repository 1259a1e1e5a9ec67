package io.wagateway.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.mutiny.Uni;
import io.wagateway.agent.AgentService;
import io.wagateway.config.AppConfig;
import io.wagateway.config.JsonText;
import io.wagateway.collaboration.AssignmentService;
import io.wagateway.collaboration.ReadReceiptService;
import io.wagateway.fanout.Ephemeral;
import io.wagateway.fanout.FanoutService;
import io.wagateway.fanout.ResumeService;
import io.wagateway.metrics.GatewayMetrics;
import io.wagateway.presence.PresenceService;
import io.wagateway.outbound.OutboundMessageService;
import io.wagateway.outbound.OutboxSender;
import io.wagateway.phonenumber.NumberStateService;
import io.wagateway.protocol.WhatsAppException;
import io.wagateway.conversation.ConversationQueries;
import io.wagateway.protocol.ClientEvent;
import io.wagateway.protocol.ClientEvent.*;
import io.wagateway.protocol.ErrorCode;
import io.wagateway.protocol.ProtocolException;
import io.wagateway.protocol.ServerFrame;
import io.wagateway.protocol.Views;
import io.wagateway.security.ClientIdentity;
import io.wagateway.security.TokenVerifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
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

    /** Answer event per request; requests absent here answer nothing and report failures as {@code error}. */
    private static final Map<Class<? extends ClientEvent>, String> ANSWERS = Map.ofEntries(
            Map.entry(GetContacts.class, "contacts_response"),
            Map.entry(GetConversations.class, "conversations_response"),
            Map.entry(GetMessages.class, "messages_response"),
            Map.entry(GetMessagesBetween.class, "messages_between_response"),
            Map.entry(GetAgents.class, "agents_response"),
            Map.entry(GetQrCode.class, "qr_code_response"),
            Map.entry(GetConnectionStatus.class, "connection_status"),
            Map.entry(SendMessage.class, "message_sent"),
            Map.entry(JoinConversation.class, "joined_conversation"),
            Map.entry(LeaveConversation.class, "left_conversation"),
            Map.entry(JoinGeneral.class, "general_joined"),
            Map.entry(JoinCustomer.class, "customer_joined"),
            Map.entry(LeaveCustomer.class, "customer_left"),
            Map.entry(Authenticate.class, "authenticated"),
            Map.entry(Resume.class, "resumed"),
            Map.entry(Ping.class, "pong"));

    /** Requests whose failures have their own answer event. */
    private static final Map<Class<? extends ClientEvent>, String> FAILURE_ANSWERS = Map.of(
            SendMessage.class, "message_send_error");

    private final ObjectMapper json;
    private final Validator validator;
    private final ConversationQueries queries;
    private final AgentService agents;
    private final TokenVerifier tokens;
    private final ConnectionRegistry registry;
    private final SessionTimers timers;
    private final FanoutService fanout;
    private final ResumeService resume;
    private final OutboundMessageService outbound;
    private final OutboxSender outboxSender;
    private final SendAnswers sendAnswers;
    private final NumberStateService numberStates;
    private final PresenceService presence;
    private final TypingService typing;
    private final ReadReceiptService readReceipts;
    private final AssignmentService assignments;
    private final GatewayMetrics metrics;
    private final String rateLimitMessage;

    public RequestDispatcher(ObjectMapper json, Validator validator, ConversationQueries queries, AgentService agents,
                             TokenVerifier tokens, ConnectionRegistry registry, SessionTimers timers,
                             AppConfig config, FanoutService fanout, OutboundMessageService outbound,
                             OutboxSender outboxSender, SendAnswers sendAnswers, NumberStateService numberStates,
                             PresenceService presence, TypingService typing, ReadReceiptService readReceipts,
                             AssignmentService assignments, GatewayMetrics metrics, ResumeService resume) {
        this.resume = resume;
        this.metrics = metrics;
        this.presence = presence;
        this.typing = typing;
        this.readReceipts = readReceipts;
        this.assignments = assignments;
        this.fanout = fanout;
        this.outbound = outbound;
        this.outboxSender = outboxSender;
        this.sendAnswers = sendAnswers;
        this.numberStates = numberStates;
        this.rateLimitMessage = "too many events: at most " + config.ws().rateLimitPerSecond()
                + " a second, bursts of " + config.ws().rateLimitBurst();
        this.json = json;
        this.validator = validator;
        this.queries = queries;
        this.agents = agents;
        this.tokens = tokens;
        this.registry = registry;
        this.timers = timers;
    }

    /** The decoded envelope of a client frame. */
    record Request(String event, String requestId, ClientEvent data) {}

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
        String answer = FAILURE_ANSWERS.getOrDefault(request.data().getClass(), ANSWERS.get(request.data().getClass()));
        return Uni.createFrom().deferred(() -> handle(session, request))
                .onFailure().recoverWithItem(failure -> failureFrame(request, answer, failure))
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
        if (frame.contains("\\u0000")) {
            // PostgreSQL text cannot hold NUL; refuse it here once rather than in every query
            throw new Refusal(ErrorCode.BAD_REQUEST, "strings must not contain NUL characters", null);
        }
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
        if (!session.tryAcquire()) {
            metrics.rateLimited();
            throw new Refusal(ErrorCode.RATE_LIMITED, rateLimitMessage, requestId);
        }
        JsonNode eventNode = root.get("event");
        if (eventNode == null || !eventNode.isTextual() || eventNode.textValue().isBlank()) {
            throw new Refusal(ErrorCode.BAD_REQUEST, "frame has no event", requestId);
        }
        String event = eventNode.textValue();
        Class<? extends ClientEvent> type = ClientEvent.TYPES.get(event);
        if (type == null) {
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
            data = json.treeToValue(dataNode, type);
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
        return new Request(event, requestId, data);
    }

    private Uni<ServerFrame> handle(ClientSession session, Request request) {
        ClientIdentity me = session.identity();
        String tenant = me.tenant();
        String id = request.requestId();
        String answer = ANSWERS.get(request.data().getClass());
        ClientEvent data = request.data();

        if (data instanceof GetContacts r) {
            return queries.contacts(tenant, r.search(), r.limit(), r.cursor())
                    .map(page -> ServerFrame.success(answer, id, page.items(), page.nextCursor()));
        }
        if (data instanceof GetConversations r) {
            return queries.conversations(tenant, r.limit(), r.cursor(), r.status(), r.assignedTo())
                    .map(page -> ServerFrame.success(answer, id, page.items(), page.nextCursor()));
        }
        if (data instanceof GetMessages r) {
            return queries.messages(tenant, r.conversationId(), r.limit(), r.before())
                    .map(page -> ServerFrame.success(answer, id, page.items(), page.nextCursor()));
        }
        if (data instanceof GetMessagesBetween r) {
            return queries.messagesBetween(tenant, r.fromNumber(), r.toNumber(), r.limit(), r.offset())
                    .map(messages -> ServerFrame.success(answer, id, messages));
        }
        if (data instanceof GetAgents) {
            return agents.list(tenant).chain(list -> presence.online(tenant).map(online -> ServerFrame.success(answer,
                    id, list.stream().map(a -> new Views.Agent(a.key.id(), a.name, a.status, online.contains(a.key.id())))
                            .toList())));
        }
        if (data instanceof TypingStart r) {
            return typing.start(session, r.conversationId()).replaceWith((ServerFrame) null);
        }
        if (data instanceof TypingStop r) {
            return typing.stop(session, r.conversationId()).replaceWith((ServerFrame) null);
        }
        if (data instanceof MessageRead r) {
            return readReceipts.markRead(me, r.conversationId(), r.messageId()).replaceWith((ServerFrame) null);
        }
        if (data instanceof AssignChat r) {
            return assignments.assign(me, r.conversationId(), r.agentId()).replaceWith((ServerFrame) null);
        }
        if (data instanceof AgentStatusUpdate r) {
            return agents.updateStatus(me, r.status()).invoke(known -> {
                if (known) {
                    fanout.publish(new Ephemeral(tenant, encode(ServerFrame.push("agent_status_changed", Map.of(
                            "agentId", me.userId(), "status", r.status(), "timestamp", Instant.now().toString()))),
                            null, null));
                }
            }).replaceWith((ServerFrame) null);
        }
        if (data instanceof JoinConversation r) {
            return queries.conversation(tenant, r.conversationId()).map(c -> {
                String room = Rooms.conversation(c.id);
                registry.joinConversation(session, c.id);
                return ServerFrame.success(answer, id, new Views.RoomJoined(c.id.toString(), room));
            });
        }
        if (data instanceof LeaveConversation r) {
            return queries.conversation(tenant, r.conversationId()).map(c -> {
                String room = Rooms.conversation(c.id);
                registry.leaveConversation(session, c.id);
                return ServerFrame.success(answer, id, new Views.RoomJoined(c.id.toString(), room));
            });
        }
        if (data instanceof JoinGeneral) {
            registry.joinGeneral(session);
            return Uni.createFrom().item(ServerFrame.success(answer, id, new Views.GeneralRoom(Rooms.GENERAL)));
        }
        if (data instanceof JoinCustomer r) {
            return queries.contact(tenant, r.customerId()).map(c -> {
                String room = Rooms.customer(c.id);
                registry.joinCustomer(session, c.id);
                return ServerFrame.success(answer, id, new Views.CustomerRoom(c.id.toString(), room));
            });
        }
        if (data instanceof LeaveCustomer r) {
            return queries.contact(tenant, r.customerId()).map(c -> {
                String room = Rooms.customer(c.id);
                registry.leaveCustomer(session, c.id);
                return ServerFrame.success(answer, id, new Views.CustomerRoom(c.id.toString(), room));
            });
        }
        if (data instanceof Authenticate r) {
            return authenticate(session, r.token(), id);
        }
        if (data instanceof Resume r) {
            // FanoutService sends the answer itself, between the replay and the held live events
            return resume.resume(session, r.lastSeq(), resumed -> {
                        metrics.eventOut(answer, 1);
                        return encode(ServerFrame.success(answer, id, Map.of("recovered", resumed.recovered(),
                                "replayed", resumed.replayed(), "lastSeq", resumed.lastSeq())));
                    })
                    .invoke(resumed -> metrics.resume(resumed.recovered() ? "recovered" : "not_recovered"))
                    .onFailure().invoke(() -> metrics.resume("failed"))
                    .replaceWith((ServerFrame) null);
        }
        if (data instanceof SendMessage r) {
            // message_sent goes out before the sender starts, so it always precedes the outcome
            return outbound.send(me, r).chain(accepted -> {
                if (accepted.created()) {
                    sendAnswers.expect(accepted.messageId(), session, id);
                }
                Map<String, Object> sent = new java.util.LinkedHashMap<>();
                sent.put("messageId", accepted.messageId().toString());
                sent.put("clientMessageId", accepted.clientMessageId());
                sent.put("status", accepted.status());
                metrics.eventOut(answer, 1);
                return session.sendText(encode(ServerFrame.success(answer, id, sent)))
                        .invoke(() -> outboxSender.dispatch(accepted.job()))
                        .replaceWith((ServerFrame) null);
            });
        }
        if (data instanceof GetQrCode r) {
            return numberStates.qrCode(tenant, Boolean.TRUE.equals(r.forceNew()), r.prefilledMessage())
                    .map(code -> ServerFrame.success(answer, id, code));
        }
        if (data instanceof GetConnectionStatus) {
            return numberStates.connectionStatus(tenant).map(status -> ServerFrame.success(answer, id, status));
        }
        if (data instanceof Ping) {
            return Uni.createFrom().item(ServerFrame.success(answer, id, new Views.Pong(Instant.now())));
        }
        throw new IllegalStateException("no handler for " + request.event());
    }

    /** Refreshes the identity of a live connection; the tenant and user cannot change. */
    private Uni<ServerFrame> authenticate(ClientSession session, String token, String requestId) {
        ClientIdentity fresh;
        try {
            fresh = tokens.verify(token);
        } catch (ParseException e) {
            return Uni.createFrom().item(authError(requestId, "token is not valid"));
        }
        ClientIdentity current = session.identity();
        if (!fresh.tenant().equals(current.tenant()) || !fresh.userId().equals(current.userId())) {
            return Uni.createFrom().item(authError(requestId, "token is for another user or tenant"));
        }
        if (!fresh.hasAnyRole()) {
            return Uni.createFrom().item(authError(requestId, "token has no agent, supervisor or admin role"));
        }
        session.refresh(fresh);
        timers.scheduleExpiry(session);
        return Uni.createFrom().item(ServerFrame.success("authenticated", requestId,
                new Views.Authenticated(fresh.userId(), fresh.tenant(), fresh.expiresAt())));
    }

    private static ServerFrame authError(String requestId, String message) {
        return new ServerFrame("auth_error", requestId, null, Map.of("success", false, "message", message,
                "error", new ServerFrame.ErrorBody(ErrorCode.UNAUTHORIZED, message)));
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

    String encode(ServerFrame frame) {
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
