package io.wagateway.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.WebSocket;

import java.util.BitSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * One agent's WebSocket. Checks what a browser would rely on: durable frames arrive with a
 * strictly increasing seq (gaps are fine: a client only gets what its rooms entitle it to), and
 * each message arrives once. Frames arrive on the connection's event loop; the state is guarded
 * by this object's monitor anyway (uncontended), so the final tally on the main thread sees it.
 */
final class BenchClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Index in the run; a general client when customer < 0. */
    final int index;
    final int customer;
    private final Run run;
    private WebSocket socket;
    private volatile boolean closedByUs;

    // guarded by this
    private long lastSeq = -1;
    private final BitSet received = new BitSet();
    private Promise<JsonNode> pending;
    private String pendingId;
    private int requests;

    static final AtomicInteger closedUnexpectedly = new AtomicInteger();
    /** Close codes of connections the server closed, and when the last such close arrived (shutdown scenario). */
    static final ConcurrentMap<Integer, AtomicInteger> serverCloseCodes = new ConcurrentHashMap<>();
    static final AtomicInteger serverCloses = new AtomicInteger();
    static final AtomicLong lastServerCloseNanos = new AtomicLong();
    /** The service is being stopped on purpose: its closes are counted, not reported as errors. */
    static volatile boolean expectingShutdown;
    static final AtomicInteger outOfOrderBeforeStart = new AtomicInteger();
    private static final AtomicInteger reported = new AtomicInteger();
    static volatile boolean closing;

    /** What the client sees of the run: where message k belongs and what a frame counts towards. */
    interface Run {
        /** The phase of message k, or null when k is not from this run. */
        Phase phaseOf(long k);

        /** The phase whose window contains this arrival time, or null. */
        Phase windowAt(long nanos);

        /** The customer message k is from. */
        int customerOf(long k);

        /** The phase started last (it also owns the drain after it), or null before the first. */
        Phase current();

        /**
         * Every frame that is not the answer to this client's request (durable or not), with its
         * text, before the client's own checks; for scenarios that look closer (presence, resume).
         */
        default void frame(BenchClient client, FrameParser.Frame frame, String text, long nanos) {
        }
    }

    BenchClient(int index, int customer, Run run) {
        this.index = index;
        this.customer = customer;
        this.run = run;
    }

    boolean general() {
        return customer < 0;
    }

    /** Entitled to message k: the general room gets all, a conversation room its customer's. */
    boolean expects(long k) {
        return general() || run.customerOf(k) == customer;
    }

    void attach(WebSocket ws) {
        this.socket = ws;
        ws.textMessageHandler(this::onText);
        ws.closeHandler(v -> {
            if (!closedByUs) {
                Short code = ws.closeStatusCode();
                serverCloseCodes.computeIfAbsent(code == null ? 1006 : (int) code, c -> new AtomicInteger()).incrementAndGet();
                lastServerCloseNanos.accumulateAndGet(System.nanoTime(), Math::max);
                serverCloses.incrementAndGet();
            }
            if (!closing && !closedByUs && !expectingShutdown) {
                if (closedUnexpectedly.incrementAndGet() <= 20) { // a mass close would flood the report
                    System.err.println("client " + index + ": closed by the server at " + java.time.LocalTime.now()
                            + " (" + ws.closeStatusCode() + (ws.closeReason() == null ? "" : " " + ws.closeReason()) + ")");
                }
                synchronized (this) {
                    if (pending != null) {
                        pending.tryFail("connection closed");
                    }
                }
            }
        });
        ws.exceptionHandler(failure -> {
            if (!closing && !expectingShutdown) {
                System.err.println("client " + index + ": " + failure);
            }
        });
    }

    /** Sends one request and completes with the answer's data ({success, data, nextCursor}). */
    synchronized Future<JsonNode> request(String event, ObjectNode data) {
        String id = "r" + (++requests);
        ObjectNode frame = JSON.createObjectNode().put("event", event).put("requestId", id);
        frame.set("data", data);
        pending = Promise.promise();
        pendingId = id;
        Future<JsonNode> answer = pending.future();
        socket.writeTextMessage(frame.toString()).onFailure(f -> failPending(f.toString()));
        return answer;
    }

    Future<Void> close() {
        closedByUs = true;
        return socket == null ? Future.succeededFuture() : socket.close();
    }

    private void onText(String text) {
        long now = System.nanoTime();
        FrameParser.Frame frame = FrameParser.parse(text);
        if (frame == null) { // an answer, or a frame in another field order: parse the whole tree
            JsonNode root;
            try {
                root = JSON.readTree(text);
            } catch (Exception e) {
                System.err.println("client " + index + ": unreadable frame " + text);
                return;
            }
            frame = FrameParser.fromTree(root);
            if (frame.requestId != null) {
                answer(root, text);
                return;
            }
        }
        run.frame(this, frame, text, now);
        if (!frame.durable()) {
            return; // ephemeral events (presence, typing): not part of this benchmark
        }
        Phase window = run.windowAt(now);
        if (window != null) {
            window.framesInWindow.increment();
            window.framesByEvent.computeIfAbsent(frame.event, e -> new LongAdder()).increment();
        }
        synchronized (this) {
            if (frame.seq <= lastSeq) {
                // counted against the phase running now (a violation has no message index)
                Phase at = run.current();
                if (at != null) {
                    at.outOfOrder.increment();
                } else {
                    outOfOrderBeforeStart.incrementAndGet();
                }
                if (reported.incrementAndGet() <= 20) {
                    System.err.println("client " + index + ": seq " + frame.seq + " after " + lastSeq);
                }
            } else {
                lastSeq = frame.seq;
            }
            if ("new_message".equals(frame.event) && frame.content != null && frame.content.startsWith("bench|")) {
                onMessage(frame.content, now);
            }
        }
    }

    /** content = "bench|k|scheduledNanos": latency is measured from the scheduled send time (open model). */
    private void onMessage(String content, long now) {
        int second = content.indexOf('|', 6);
        long k = Long.parseLong(content, 6, second, 10);
        long scheduled = Long.parseLong(content, second + 1, content.length(), 10);
        Phase phase = run.phaseOf(k);
        if (phase == null) {
            return;
        }
        if (!expects(k)) {
            phase.misrouted.increment();
            return;
        }
        if (received.get((int) k)) {
            phase.duplicates.increment();
            return;
        }
        received.set((int) k);
        phase.delivered.increment();
        if (phase.measured) {
            Phase.record(phase.latency, now - scheduled);
        }
    }

    /** Entitled messages of the phase this client never received. */
    synchronized long missing(Phase phase, int customers) {
        int from = (int) phase.firstK;
        int to = (int) phase.endK();
        if (general()) {
            return phase.count - received.get(from, to).cardinality();
        }
        long missing = 0;
        int first = from + Math.floorMod(customer - from, customers); // first k >= from with k % customers == customer
        for (int k = first; k < to; k += customers) {
            if (!received.get(k)) {
                missing++;
            }
        }
        return missing;
    }

    private void answer(JsonNode root, String text) {
        String id = root.path("requestId").asText(null);
        synchronized (this) {
            if (pending == null || id == null || !id.equals(pendingId)) {
                // e.g. an answer that came after its request timed out; an agents list can be a megabyte
                System.err.println("client " + index + ": unexpected frame "
                        + (text.length() > 300 ? text.substring(0, 300) + "... (" + text.length() + " chars)" : text));
                return;
            }
            JsonNode data = root.path("data");
            if ("error".equals(root.path("event").asText()) || !data.path("success").asBoolean(false)) {
                failPending(text);
            } else {
                Promise<JsonNode> done = pending;
                pending = null;
                done.complete(data);
            }
        }
    }

    private synchronized void failPending(String why) {
        if (pending != null) {
            Promise<JsonNode> failed = pending;
            pending = null;
            failed.tryFail("client " + index + ": " + why);
        }
    }
}
