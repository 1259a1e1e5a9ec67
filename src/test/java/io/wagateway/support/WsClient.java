package io.wagateway.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A queue-backed WebSocket test client on a plain Vert.x client, so that tests can set headers
 * and subprotocols, see upgrade rejections and close codes. Waits are seconds, never minutes.
 */
public final class WsClient implements AutoCloseable {

    public static final Duration WAIT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger REQUEST_IDS = new AtomicInteger();

    private final WebSocketClient client;
    private final WebSocket socket;
    private final LinkedBlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
    private final List<JsonNode> skipped = new ArrayList<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();

    private WsClient(WebSocketClient client, WebSocket socket) {
        this.client = client;
        this.socket = socket;
        socket.textMessageHandler(text -> {
            try {
                frames.add(JSON.readTree(text));
            } catch (Exception e) {
                frames.add(JSON.createObjectNode().put("unparseable", text));
            }
        });
        socket.closeHandler(v -> closed.complete(socket.closeStatusCode() == null ? -1 : (int) socket.closeStatusCode()));
    }

    public static WsClient connect(Vertx vertx, URI base, String token) {
        return connect(vertx, base, token == null ? Map.of() : Map.of("Authorization", "Bearer " + token), List.of());
    }

    /** With a larger frame size than the default 64 KiB, to send one oversized frame. */
    public static WsClient connect(Vertx vertx, URI base, String token, int maxFrameSize) {
        return connect(vertx, base, Map.of("Authorization", "Bearer " + token), List.of(),
                new io.vertx.core.http.WebSocketClientOptions().setMaxFrameSize(maxFrameSize)
                        .setMaxMessageSize(4 * maxFrameSize));
    }

    public static WsClient connect(Vertx vertx, URI base, Map<String, String> headers, List<String> subprotocols) {
        return connect(vertx, base, headers, subprotocols, new io.vertx.core.http.WebSocketClientOptions());
    }

    private static WsClient connect(Vertx vertx, URI base, Map<String, String> headers, List<String> subprotocols,
                                    io.vertx.core.http.WebSocketClientOptions clientOptions) {
        WebSocketClient client = vertx.createWebSocketClient(clientOptions);
        WebSocketConnectOptions options = new WebSocketConnectOptions()
                .setHost(base.getHost()).setPort(base.getPort()).setURI("/ws").setSubProtocols(subprotocols)
                // like a non-browser client: an Origin only when the test sets one
                .setAllowOriginHeader(headers.containsKey("Origin"));
        headers.forEach(options::addHeader);
        try {
            WebSocket socket = client.connect(options).toCompletionStage().toCompletableFuture()
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS);
            return new WsClient(client, socket);
        } catch (java.util.concurrent.ExecutionException e) {
            client.close();
            if (e.getCause() instanceof UpgradeRejectedException rejected) {
                throw new Rejected(rejected.getStatus());
            }
            throw new IllegalStateException(e.getCause());
        } catch (Exception e) {
            client.close();
            throw new IllegalStateException(e);
        }
    }

    /** The upgrade was refused with this HTTP status. */
    public static final class Rejected extends RuntimeException {
        public final int status;

        Rejected(int status) {
            super("upgrade rejected with " + status);
            this.status = status;
        }
    }

    public String subprotocol() {
        return socket.subProtocol();
    }

    public void sendRaw(String text) {
        socket.writeTextMessage(text);
    }

    /** Sends {@code event} with {@code data} and a fresh requestId; returns the requestId. */
    public String send(String event, Object data) {
        String requestId = "r" + REQUEST_IDS.incrementAndGet();
        ObjectNode frame = JSON.createObjectNode().put("event", event).put("requestId", requestId);
        frame.set("data", JSON.valueToTree(data));
        sendRaw(frame.toString());
        return requestId;
    }

    /** Sends a request and returns its answer (the frame carrying the same requestId). */
    public JsonNode request(String event, Object data) {
        String requestId = send(event, data);
        return awaitFrame(f -> requestId.equals(f.path("requestId").asText(null)), "answer to " + event);
    }

    /** The first frame carrying this requestId: the answer to a request sent with {@link #send}. */
    public JsonNode answerTo(String requestId) {
        return awaitFrame(f -> requestId.equals(f.path("requestId").asText(null)), "answer to " + requestId);
    }

    /** Sends a request and returns the inner {@code data} of a successful answer. */
    public JsonNode ok(String event, Object data) {
        JsonNode answer = request(event, data);
        if (!answer.path("data").path("success").asBoolean(false)) {
            throw new AssertionError(event + " failed: " + answer);
        }
        return answer.path("data");
    }

    /** Next frame with this event name (earlier frames of other names are kept for later calls). */
    public JsonNode next(String event) {
        return awaitFrame(f -> event.equals(f.path("event").asText()), event);
    }

    /** Presence pushes arrive whenever anyone of the tenant connects; tests ask for them by name. */
    private static final java.util.Set<String> PRESENCE = java.util.Set.of("user_online", "user_offline",
            "presence_changed");

    /** The next presence frame: user_online, user_offline or presence_changed (PROTOCOL.md 6.5). */
    public JsonNode nextPresence() {
        return awaitFrame(f -> PRESENCE.contains(f.path("event").asText()), "presence frame");
    }

    /** The next presence frame within the time, or null (frames of other names are kept). */
    public JsonNode nextPresenceOrNull(Duration within) {
        for (Iterator<JsonNode> it = skipped.iterator(); it.hasNext(); ) {
            JsonNode frame = it.next();
            if (PRESENCE.contains(frame.path("event").asText())) {
                it.remove();
                return frame;
            }
        }
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode frame = poll(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (frame == null) {
                return null;
            }
            if (PRESENCE.contains(frame.path("event").asText())) {
                return frame;
            }
            skipped.add(frame);
        }
        return null;
    }

    /** The next frame of any event but presence. */
    public JsonNode nextAny() {
        return awaitFrame(f -> !PRESENCE.contains(f.path("event").asText()), "frame");
    }

    /** Asserts that no frame with this event name arrives within the given time. */
    public void assertNo(String event, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode frame = poll(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (frame != null) {
                if (event.equals(frame.path("event").asText())) {
                    throw new AssertionError("unexpected " + event + ": " + frame);
                }
                skipped.add(frame);
            }
        }
    }

    public int awaitClose() {
        try {
            return closed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("connection was not closed within " + WAIT);
        }
    }

    public boolean isClosed() {
        return socket.isClosed();
    }

    private JsonNode awaitFrame(java.util.function.Predicate<JsonNode> wanted, String what) {
        for (Iterator<JsonNode> it = skipped.iterator(); it.hasNext(); ) {
            JsonNode frame = it.next();
            if (wanted.test(frame)) {
                it.remove();
                return frame;
            }
        }
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode frame = poll(Duration.ofNanos(deadline - System.nanoTime()));
            if (frame == null) {
                break;
            }
            if (wanted.test(frame)) {
                return frame;
            }
            skipped.add(frame);
        }
        throw new AssertionError("no " + what + " within " + WAIT + "; other frames: " + skipped);
    }

    private JsonNode poll(Duration timeout) {
        try {
            return frames.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }

    @Override
    public void close() {
        if (!socket.isClosed()) {
            socket.close();
        }
        client.close();
    }
}
