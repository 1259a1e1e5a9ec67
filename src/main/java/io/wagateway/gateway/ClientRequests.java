package io.wagateway.gateway;

import io.smallrye.mutiny.Uni;
import io.wagateway.conversation.Page;
import io.wagateway.protocol.ClientEvent;
import io.wagateway.protocol.ServerFrame;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The client events of one feature, each registered once: its wire name, its record, its answer
 * and its handler. {@link RequestDispatcher} finds every bean that implements this; adding an event
 * is one {@link Routes#on} call (and its record in {@link ClientEvent}).
 */
public interface ClientRequests {

    void register(Routes routes);

    /** Runs one decoded request; the frame it gives (null: none) is sent to the caller. */
    @FunctionalInterface
    interface Handler<E extends ClientEvent> {
        Uni<ServerFrame> handle(ClientSession session, E data, Answer answer);
    }

    /** The answer event of a request and its requestId, to build the success frame with. */
    record Answer(String event, String requestId) {

        public ServerFrame with(Object data) {
            return ServerFrame.success(event, requestId, data);
        }

        /** A {@code get_*} page, with the {@code lastSeq} read before it was queried. */
        public ServerFrame with(Page<?> page, long lastSeq) {
            return ServerFrame.list(event, requestId, page.items(), page.nextCursor(), lastSeq);
        }

        /** A {@code get_*} list that has no pages, with the {@code lastSeq} read before it was queried. */
        public ServerFrame withList(Object items, long lastSeq) {
            return ServerFrame.list(event, requestId, items, null, lastSeq);
        }
    }

    /**
     * One event's registration.
     *
     * @param answer        the answer event, or null: the request answers nothing, and a failure is an {@code error}
     * @param failureAnswer the event a failure is answered with, when it is not {@code answer}
     */
    record Route<E extends ClientEvent>(String event, Class<E> type, String answer, String failureAnswer,
                                        Handler<E> handler) {

        Uni<ServerFrame> handle(ClientSession session, ClientEvent data, String requestId) {
            return handler.handle(session, type.cast(data), new Answer(answer, requestId));
        }
    }

    /** Every registered event by wire name. */
    final class Routes {

        private final Map<String, Route<?>> byEvent = new HashMap<>();

        /** An event answered by {@code answer} (success or failure). */
        public <E extends ClientEvent> Routes on(String event, Class<E> type, String answer, Handler<E> handler) {
            return add(new Route<>(event, type, answer, answer, handler));
        }

        /** An event whose failures have their own answer event. */
        public <E extends ClientEvent> Routes on(String event, Class<E> type, String answer, String failureAnswer,
                                                 Handler<E> handler) {
            return add(new Route<>(event, type, answer, failureAnswer, handler));
        }

        /** An event that answers nothing; its failures are {@code error} events. */
        public <E extends ClientEvent> Routes silent(String event, Class<E> type, Handler<E> handler) {
            return add(new Route<>(event, type, null, null, handler));
        }

        private Routes add(Route<?> route) {
            if (byEvent.putIfAbsent(route.event(), route) != null) {
                throw new IllegalStateException(route.event() + " is registered twice");
            }
            return this;
        }

        Route<?> find(String event) {
            return byEvent.get(event);
        }

        public Set<String> events() {
            return Collections.unmodifiableSet(byEvent.keySet());
        }

        /** The events that answer nothing when they succeed. */
        public Set<String> silent() {
            Set<String> silent = new TreeSet<>();
            byEvent.values().forEach(route -> {
                if (route.answer() == null) {
                    silent.add(route.event());
                }
            });
            return silent;
        }

        /** The answer events of the requests, failure answers included (for the AsyncAPI document's test). */
        public Set<String> answers() {
            Set<String> answers = new TreeSet<>();
            byEvent.values().forEach(route -> {
                if (route.answer() != null) {
                    answers.add(route.answer());
                }
                if (route.failureAnswer() != null) {
                    answers.add(route.failureAnswer());
                }
            });
            return answers;
        }
    }
}
