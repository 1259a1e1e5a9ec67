package io.wagateway.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.wagateway.config.JsonText;
import io.wagateway.collaboration.ReadReceiptService;
import io.wagateway.conversation.ConversationQueries;
import io.wagateway.fanout.Ephemeral;
import io.wagateway.fanout.FanoutService;
import io.wagateway.protocol.ServerFrame;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import io.wagateway.config.AppConfig;
import java.util.UUID;

/**
 * Typing indicators: {@code user_typing} to the others in the conversation room (on every
 * instance) when an agent starts, {@code user_stop_typing} when they stop, fall silent for
 * {@code app.ws.typing-expiry}, or disconnect. Repeated {@code typing_start}s only keep the state alive.
 */
@ApplicationScoped
public class TypingService {


    private record Key(String tenant, UUID conversationId, String userId) {}

    private record Typing(String connectionId, long timer) {}

    private final ConcurrentMap<Key, Typing> typing = new ConcurrentHashMap<>();
    private final ConversationQueries queries;
    private final FanoutService fanout;
    private final ReadReceiptService customerSide;
    private final ObjectMapper json;
    private final Vertx vertx;
    private final long expiryMs;

    public TypingService(ConversationQueries queries, FanoutService fanout, ReadReceiptService customerSide,
                         ObjectMapper json, Vertx vertx, AppConfig config) {
        this.expiryMs = config.ws().typingExpiry().toMillis();
        this.queries = queries;
        this.fanout = fanout;
        this.customerSide = customerSide;
        this.json = json;
        this.vertx = vertx;
    }

    Uni<Void> start(ClientSession session, String conversationId) {
        return queries.conversation(session.tenant(), conversationId).chain(conversation -> {
            Key key = new Key(session.tenant(), conversation.id, session.identity().userId());
            Typing previous = typing.put(key, new Typing(session.id(), vertx.setTimer(expiryMs, id -> expire(key, id))));
            if (previous != null) {
                vertx.cancelTimer(previous.timer());
                return Uni.createFrom().voidItem();
            }
            publish(key, "user_typing");
            return customerSide.showTypingToCustomer(conversation);
        });
    }

    Uni<Void> stop(ClientSession session, String conversationId) {
        return queries.conversation(session.tenant(), conversationId).invoke(conversation ->
                end(new Key(session.tenant(), conversation.id, session.identity().userId()))).replaceWithVoid();
    }

    /** The connection closed: whatever it was typing stops. */
    void closed(ClientSession session) {
        typing.forEach((key, state) -> {
            if (state.connectionId().equals(session.id())) {
                end(key);
            }
        });
    }

    private void expire(Key key, long timerId) {
        Typing state = typing.get(key);
        if (state != null && state.timer() == timerId && typing.remove(key, state)) {
            publish(key, "user_stop_typing");
        }
    }

    private void end(Key key) {
        Typing state = typing.remove(key);
        if (state != null) {
            vertx.cancelTimer(state.timer());
            publish(key, "user_stop_typing");
        }
    }

    private void publish(Key key, String event) {
        String frame = JsonText.of(json, ServerFrame.push(event, Map.of("userId", key.userId(),
                "conversationId", key.conversationId().toString(), "timestamp", Instant.now().toString())));
        fanout.publish(new Ephemeral(key.tenant(), frame, key.conversationId(), key.userId()));
    }
}
