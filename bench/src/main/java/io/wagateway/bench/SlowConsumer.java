package io.wagateway.bench;

import com.fasterxml.jackson.databind.JsonNode;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;

/**
 * The slow-consumer scenario of {@link ConnectionBench}: --clients general-room clients and (with
 * --slow 1) one {@link SlowClient} that joins the general room too, reads during the warm-up and
 * then stops reading its socket, while signed webhooks come in at --rate (open model, as in
 * InboundBench) for --warmup + --duration seconds. Then:
 * <ol type="a">
 *   <li>whether and when the server closed the slow client: the time from the kernel's view of
 *       the server's end of that connection (/proc/net/tcp: it leaves ESTABLISHED when the
 *       service closes its socket, whatever the client reads), the code from the close frame
 *       found when everything the socket still holds is read after the load;</li>
 *   <li>the normal clients' webhook -> client latency (compare with a --slow 0 run);</li>
 *   <li>the service's heap (and RSS, and Netty's direct memory) every second: first half of the
 *       measured window against the last half;</li>
 *   <li>the slow client reconnects, joins and resumes from the last seq it read: it must get
 *       exactly the new_message events after that seq, in order, once each, then resumed.</li>
 * </ol>
 */
final class SlowConsumer implements BenchClient.Run {

    private static final String SLOW_USER = "bench-slow";
    private static final long MIB = 1 << 20;

    private final ConnectionBench bench;
    private final Options options;
    private final int normalCount;
    private final int customers;
    private final boolean slow;

    private final List<Phase> phases = new ArrayList<>();
    private volatile Phase current;
    /** seq of message k's new_message, as the recorder (a normal client) got it; -1 unknown. */
    private long[] seqOfK;
    private volatile BenchClient recorder;

    // the slow client: written by the reader thread until it stops, then by the main thread
    private SlowClient slowClient;
    private long lastSeqRead = -1;
    private long lastMessageRead = -1;
    private long framesRead;
    private long messagesRead;
    private long stoppedNanos;
    private long framesAfterStop;
    private long messagesAfterStop;
    private int closeCode = -1;
    private String closeReason;
    private boolean closeFrameBeforeStop;
    private SlowClient.Read readerEnd;
    private SlowClient.Read drainEnd;
    // written by the watcher thread
    private volatile long serverLeftNanos;
    private volatile String serverStateAfter;
    private volatile long maxServerSendQueue;
    private volatile long maxClientReceiveQueue;
    private volatile String lastServerState = "?";
    private volatile boolean watching;

    /** The replay after the reconnect: {k, seq} of every bench new_message, in arrival order. */
    private final List<long[]> replayed = Collections.synchronizedList(new ArrayList<>());
    private volatile int replayedOther;

    SlowConsumer(ConnectionBench bench) {
        this.bench = bench;
        this.options = bench.options;
        this.normalCount = options.integer("clients");
        this.customers = options.integer("customers");
        this.slow = options.integer("slow") > 0;
        if (normalCount < 1 || customers < 1) {
            throw new IllegalArgumentException("slow-consumer needs --clients >= 1 and --customers >= 1");
        }
    }

    int run() throws Exception {
        planPhases();
        Phase measured = phases.get(phases.size() - 1);
        say("plan: " + normalCount + " general-room clients" + (slow ? " + 1 slow client" : " (no slow client: --slow 0)")
                + ", " + customers + " customers, " + fmt(measured.rate) + " webhooks/s for "
                + (phases.size() > 1 ? phases.get(0).seconds + " s (the slow client reads) + " : "") + measured.seconds
                + " s (it does not)");
        Webhooks webhooks = new Webhooks(options.string("waba-id"), options.string("display"),
                options.string("phone-number-id"), options.string("wa-prefix"), options.string("secret"));
        WebhookLoad load = new WebhookLoad(bench.httpClient(), bench.host, bench.port, webhooks, bench.cpu,
                this::customerOf, bench::say);
        bench.delegate = this;
        load.seed(customers, options.integer("seed-concurrency"));

        String[] tokens = new String[normalCount];
        for (int i = 0; i < normalCount; i++) {
            tokens[i] = bench.jwt.agentToken(String.format("bench-agent-%04d", i));
        }
        ConnectionBench.Storm normals = bench.open("normal clients", 0, normalCount, i -> tokens[i]);
        if (normals.joined.get() < normalCount) {
            System.out.println("RESULT ERROR scenario=slow-consumer normal clients did not all join: " + normals.failures.peek());
            return 2;
        }
        List<BenchClient> clients = new ArrayList<>(normals.clients);
        recorder = clients.get(0);
        if (slow) {
            try {
                connectSlow();
            } catch (IOException e) {
                System.out.println("RESULT ERROR scenario=slow-consumer the slow client could not connect: " + e);
                return 2;
            }
        }

        // load: the slow client reads during the warm-up and stops when the measured window starts
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
        long stopAt = start + (phases.size() > 1 ? phases.get(0).durationNanos() : 0);
        Thread reader = slow ? startReader(stopAt) : null;
        Thread watcher = slow ? startWatcher() : null;
        List<ServiceProbe.Memory> memory = Collections.synchronizedList(new ArrayList<>());
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "memory-sampler");
            t.setDaemon(true);
            return t;
        });
        sampler.scheduleAtFixedRate(() -> memory.add(bench.probe.sample()), 0, 1, TimeUnit.SECONDS);
        ScheduledExecutorService ticker = startTicker();
        try {
            load.send(phases, start, phase -> current = phase);
            load.drain(measured, clients, customers, options.integer("drain"));
            if (slow) {
                reader.join(TimeUnit.SECONDS.toMillis(5));
                long closeDeadline = measured.endNanos + TimeUnit.SECONDS.toNanos(options.integer("close-wait"));
                while (serverLeftNanos == 0 && System.nanoTime() < closeDeadline) {
                    Thread.sleep(100);
                }
            }
        } finally {
            sampler.shutdownNow();
            ticker.shutdownNow();
        }
        if (slow) {
            readWhatIsLeft();
            watching = false;
            watcher.join(1000);
        }
        Resume resume = slow ? resume() : null;

        // ---- report
        System.out.println();
        System.out.println("=== slow-consumer: " + normalCount + " general-room clients" + (slow ? " + 1 slow client" : "")
                + ", " + fmt(measured.rate) + " webhooks/s, measured " + measured.seconds + " s ===");
        List<String> misses = new ArrayList<>();
        if (slow) {
            reportSlowClient(measured, misses);
        }
        reportNormalClients(measured, misses);
        boolean flat = reportMemory(measured, memory, misses);
        if (slow) {
            resume.report(misses);
        }
        bench.printCpu(measured.cpuStart, measured.cpuEnd);
        System.out.println(ConnectionBench.targets((slow ? "slow client closed with " + options.integer("close-code")
                + " within " + options.integer("close-target") + " s, resume exact, " : "")
                + "normal clients " + (p99Target() ? "p99 <= " + fmt(options.decimal("p99-ms")) + " ms, " : "")
                + "nothing lost, heap flat", misses));
        System.out.println();
        Histogram latency = measured.latency;
        System.out.println(String.format(Locale.ROOT,
                "RESULT %s scenario=slow-consumer slow=%d clients=%d rate=%s/s close_code=%s close_after_s=%s "
                        + "p50_ms=%.2f p99_ms=%.2f max_ms=%.2f lost=%d heap_first_median_mb=%.1f heap_last_median_mb=%.1f heap=%s resume=%s",
                misses.isEmpty() ? "PASS" : "FAIL", slow ? 1 : 0, normalCount, fmt(measured.rate),
                slow ? (closeCode < 0 ? "none" : Integer.toString(closeCode)) : "-",
                slow && serverLeftNanos != 0 ? String.format(Locale.ROOT, "%.2f", seconds(serverLeftNanos - stoppedNanos)) : "-",
                ms(latency.getValueAtPercentile(50)), ms(latency.getValueAtPercentile(99)), ms(latency.getMaxValue()),
                measured.lost, heapMedian(memory, measured, true) / (double) MIB, heapMedian(memory, measured, false) / (double) MIB,
                flat ? "flat" : "grew", slow ? resume.summary() : "-"));
        return misses.isEmpty() ? 0 : 1;
    }

    // ---------------------------------------------------------------- plan and Run

    private void planPhases() {
        double rate = options.decimal("rate");
        int warmup = options.integer("warmup");
        long k = 0;
        if (warmup > 0) {
            phases.add(new Phase("warm-up (the slow client reads)", rate, warmup, k, false));
            k = phases.get(0).endK();
        }
        phases.add(new Phase(slow ? "measured (the slow client does not read)" : "measured", rate,
                options.integer("duration"), k, true));
        k = phases.get(phases.size() - 1).endK();
        seqOfK = new long[(int) k];
        java.util.Arrays.fill(seqOfK, -1);
        for (Phase phase : phases) {
            phase.expectedDeliveries = (long) phase.count * normalCount; // every normal client is in the general room
        }
    }

    @Override
    public Phase phaseOf(long k) {
        for (Phase phase : phases) {
            if (phase.contains(k)) {
                return phase;
            }
        }
        return null;
    }

    @Override
    public Phase windowAt(long nanos) {
        Phase phase = current;
        return phase != null && nanos >= phase.startNanos && nanos < phase.endNanos ? phase : null;
    }

    @Override
    public int customerOf(long k) {
        return (int) (k % customers);
    }

    @Override
    public Phase current() {
        return current;
    }

    /** The recorder notes each message's seq: what the slow client should get replayed is known by seq. */
    @Override
    public void frame(BenchClient client, FrameParser.Frame frame, String text, long nanos) {
        if (client == recorder && "new_message".equals(frame.event)) {
            long k = ConnectionBench.benchIndex(frame.content);
            if (k >= 0 && k < seqOfK.length) {
                seqOfK[(int) k] = frame.seq;
            }
        }
    }

    // ---------------------------------------------------------------- the slow client

    /** Upgrade by hand, join_general, read until its answer. */
    private void connectSlow() throws IOException {
        int rcvbuf = options.integer("slow-rcvbuf");
        slowClient = new SlowClient(rcvbuf);
        String token;
        try {
            token = bench.jwt.agentToken(SLOW_USER);
        } catch (Exception e) {
            throw new IOException(e);
        }
        slowClient.connect(bench.host, bench.port, ConnectionBench.WS_PATH, token, 10_000);
        slowClient.sendText("{\"event\":\"join_general\",\"requestId\":\"slow-join\",\"data\":{}}");
        slowClient.soTimeout(200);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            SlowClient.Read read = slowClient.fill();
            for (SlowClient.Frame frame = slowClient.next(); frame != null; frame = slowClient.next()) {
                if (frame.opcode() == 0x1 && frame.text().contains("\"slow-join\"")) {
                    if (!frame.text().contains("\"success\":true")) {
                        throw new IOException("join_general refused: " + frame.text());
                    }
                    say("slow client joined the general room (local port " + slowClient.localPort() + ", SO_RCVBUF "
                            + rcvbuf + " asked)");
                    return;
                }
                onRead(frame);
            }
            if (read == SlowClient.Read.EOF || read == SlowClient.Read.RESET) {
                throw new IOException("closed before general_joined: " + read);
            }
        }
        throw new IOException("no general_joined within 10 s");
    }

    /** The slow client reads (and answers pings) until stopAt, then stops calling read at all. */
    private Thread startReader(long stopAt) {
        Thread reader = new Thread(() -> {
            try {
                slowClient.soTimeout(50);
                while (System.nanoTime() < stopAt) {
                    SlowClient.Read read = slowClient.fill();
                    for (SlowClient.Frame frame = slowClient.next(); frame != null; frame = slowClient.next()) {
                        onRead(frame);
                    }
                    if (read == SlowClient.Read.EOF || read == SlowClient.Read.RESET) {
                        readerEnd = read;
                        break;
                    }
                }
            } catch (IOException e) {
                readerEnd = SlowClient.Read.RESET;
            }
            stoppedNanos = System.nanoTime();
            say(String.format(Locale.ROOT, "slow client stops reading: %d frames read, last seq %d, last message %d",
                    framesRead, lastSeqRead, lastMessageRead));
        }, "slow-reader");
        reader.setDaemon(true);
        reader.start();
        return reader;
    }

    /** A frame the slow client read while it still reads. */
    private void onRead(SlowClient.Frame frame) {
        switch (frame.opcode()) {
            case 0x1 -> {
                framesRead++;
                FrameParser.Frame parsed = parse(frame.text());
                if (parsed != null && parsed.durable()) {
                    lastSeqRead = Math.max(lastSeqRead, parsed.seq);
                    long k = ConnectionBench.benchIndex(parsed.content);
                    if ("new_message".equals(parsed.event) && k >= 0) {
                        lastMessageRead = k;
                        messagesRead++;
                    }
                }
            }
            case 0x8 -> {
                onClose(frame);
                closeFrameBeforeStop = true;
            }
            case 0x9 -> {
                try {
                    slowClient.send(0xA, frame.payload()); // pong while it still reads
                } catch (IOException e) {
                    // the close shows up elsewhere
                }
            }
            default -> {
            }
        }
    }

    private void onClose(SlowClient.Frame frame) {
        if (closeCode < 0) {
            closeCode = frame.closeCode();
            closeReason = frame.payload().length > 2
                    ? new String(frame.payload(), 2, frame.payload().length - 2, java.nio.charset.StandardCharsets.UTF_8) : "";
        }
    }

    private static FrameParser.Frame parse(String text) {
        FrameParser.Frame frame = FrameParser.parse(text);
        if (frame != null) {
            return frame;
        }
        try {
            return FrameParser.fromTree(ConnectionBench.JSON.readTree(text));
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Watches the kernel's view of the slow connection every 100 ms: the server's end leaves
     * ESTABLISHED (FIN_WAIT1 when it closed with data still queued, or gone after a reset) as
     * soon as the service closes its socket, however full the client's buffers are. Reading
     * cannot tell this while the client is not reading, and a close frame stuck behind unread
     * data would only be seen much later.
     */
    private Thread startWatcher() {
        int local = slowClient.localPort();
        watching = true;
        Thread watcher = new Thread(() -> {
            while (watching) {
                ServiceProbe.Tcp server = ServiceProbe.tcp(bench.port, local);
                ServiceProbe.Tcp client = ServiceProbe.tcp(local, bench.port);
                if (server != null) {
                    maxServerSendQueue = Math.max(maxServerSendQueue, server.txQueue());
                    lastServerState = server.state();
                } else {
                    lastServerState = "gone";
                }
                if (client != null) {
                    maxClientReceiveQueue = Math.max(maxClientReceiveQueue, client.rxQueue());
                }
                if (serverLeftNanos == 0 && (server == null || !"ESTABLISHED".equals(server.state()))) {
                    serverLeftNanos = System.nanoTime();
                    serverStateAfter = server == null ? "gone (reset or fully closed)" : server.state();
                    say("the server's end of the slow connection left ESTABLISHED: " + serverStateAfter);
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "tcp-watch");
        watcher.setDaemon(true);
        watcher.start();
        return watcher;
    }

    /** After the load: reads everything the socket still holds, looking for the close frame, then closes it. */
    private void readWhatIsLeft() {
        long before = slowClient.bytesRead;
        try {
            drainEnd = slowClient.drain(frame -> {
                if (frame.opcode() == 0x1) {
                    framesAfterStop++;
                    FrameParser.Frame parsed = parse(frame.text());
                    if (parsed != null && "new_message".equals(parsed.event)) {
                        messagesAfterStop++;
                    }
                } else if (frame.opcode() == 0x8) {
                    onClose(frame);
                }
            }, 2000, 30_000);
        } catch (IOException e) {
            drainEnd = SlowClient.Read.RESET;
        }
        say(String.format(Locale.ROOT, "slow client read %d bytes left after the load (%d frames, %d new_message), then: %s",
                slowClient.bytesRead - before, framesAfterStop, messagesAfterStop, describe(drainEnd)));
        slowClient.close();
    }

    private String describe(SlowClient.Read read) {
        if (read == null) {
            return "-";
        }
        return switch (read) {
            case EOF -> "the server closed the connection (EOF)";
            case RESET -> "the connection failed: " + slowClient.readFailure;
            case TIMEOUT -> "nothing more for 2 s, connection still open";
            case DATA -> "data";
        };
    }

    private void reportSlowClient(Phase measured, List<String> misses) {
        int expected = options.integer("close-code");
        double target = options.decimal("close-target");
        System.out.println(String.format(Locale.ROOT,
                "slow client      read %d frames (%d new_message, last seq %d) during the warm-up, then stopped reading %.2f s "
                        + "into the load%s", framesRead, messagesRead, lastSeqRead,
                seconds(stoppedNanos - phases.get(0).startNanos),
                readerEnd != null ? " (its reads had ended already: " + readerEnd + ")" : ""));
        String closeAt;
        if (serverLeftNanos != 0) {
            closeAt = String.format(Locale.ROOT, "%.2f s after it stopped reading (server's end: %s)",
                    seconds(serverLeftNanos - stoppedNanos), serverStateAfter);
        } else {
            closeAt = String.format(Locale.ROOT, "never: the server's end was still %s %.1f s after it stopped reading",
                    lastServerState, seconds(System.nanoTime() - stoppedNanos));
        }
        System.out.println("server close     " + closeAt);
        System.out.println(String.format(Locale.ROOT,
                "close frame      %s; after the load %d frames (%d new_message) were still to read; the read ended: %s",
                closeCode < 0 ? "none" : closeCode + (closeReason.isEmpty() ? "" : " \"" + closeReason + "\"")
                        + (closeFrameBeforeStop ? " (before it stopped reading)" : ""),
                framesAfterStop, messagesAfterStop, describe(drainEnd)));
        System.out.println(String.format(Locale.ROOT,
                "kernel queues    server's send queue up to %d KB, client's receive queue up to %d KB (/proc/net/tcp)",
                maxServerSendQueue / 1024, maxClientReceiveQueue / 1024));
        if (closeCode != expected) {
            misses.add("close code " + (closeCode < 0 ? "none" : Integer.toString(closeCode)) + " instead of " + expected);
        }
        if (serverLeftNanos == 0) {
            misses.add("the server never closed the slow client");
        } else if (seconds(serverLeftNanos - stoppedNanos) > target) {
            misses.add(String.format(Locale.ROOT, "closed %.2f s after it stopped reading > %s s",
                    seconds(serverLeftNanos - stoppedNanos), fmt(target)));
        }
    }

    private void reportNormalClients(Phase p, List<String> misses) {
        long unanswered = p.sent.sum() - p.responses.sum();
        long nonOk = p.non200.sum() + p.failed.sum() + unanswered;
        System.out.println(String.format(Locale.ROOT, "webhooks         %d sent in the window, %d answered 200, %d not",
                p.sent.sum(), p.ok.sum(), nonOk));
        System.out.println("webhook response " + ConnectionBench.percentiles(p.response) + "  (response - scheduled)");
        System.out.println("webhook->client  " + ConnectionBench.percentiles(p.latency)
                + "  (normal clients, new_message receipt - scheduled; compare with --slow " + (slow ? 0 : 1) + ")");
        System.out.println(String.format(Locale.ROOT,
                "deliveries       %d expected, %d received in all, lost %d (not there --drain s after the window), duplicated %d, "
                        + "out-of-order %d; closed by the server %d",
                p.expectedDeliveries, p.delivered.sum(), p.lost, p.duplicates.sum(), p.outOfOrder.sum(),
                BenchClient.closedUnexpectedly.get()));
        double p99 = ms(p.latency.getValueAtPercentile(99));
        if (p.latency.getTotalCount() == 0) {
            misses.add("no deliveries measured");
        } else if (p99Target() && p99 > options.decimal("p99-ms")) {
            misses.add(String.format(Locale.ROOT, "normal clients' p99 %.2f ms > %s", p99, fmt(options.decimal("p99-ms"))));
        }
        long bad = p.lost + p.duplicates.sum() + p.outOfOrder.sum();
        if (bad > 0) {
            misses.add(String.format(Locale.ROOT, "normal clients: %d lost, %d duplicated, %d out of order", p.lost,
                    p.duplicates.sum(), p.outOfOrder.sum()));
        }
        if (nonOk > 0) {
            misses.add(nonOk + " webhooks not answered 200");
        }
        if (BenchClient.closedUnexpectedly.get() > 0) {
            misses.add(BenchClient.closedUnexpectedly.get() + " normal clients closed by the server");
        }
    }

    /**
     * The normal clients' p99 is a target only when --p99-ms is given (e.g. a --slow 0 run's p99
     * plus a margin): what matters is the difference the slow client makes, and on a service that
     * started a minute ago the absolute figure is the JIT's as much as the slow client's.
     */
    private boolean p99Target() {
        return options.given("p99-ms");
    }

    // ---------------------------------------------------------------- memory

    /**
     * Heap, RSS and direct memory, first against last half of the measured window. Heap "flat":
     * the last half's median at most 25 % plus 32 MiB above the first half's. A JVM's heap is a
     * saw-tooth (allocation, then a young GC) tens of MB high, so single readings say little and a
     * tighter rule would flag the saw-tooth; a backlog kept on the heap raises the whole second
     * half. (At 200 msg/s the slow client's backlog grows by about 0.2 MB/s, so this catches a
     * heap that keeps it for minutes or under heavier load, not a few MB.)
     */
    private boolean reportMemory(Phase measured, List<ServiceProbe.Memory> memory, List<String> misses) {
        List<ServiceProbe.Memory> first = half(memory, measured, true);
        List<ServiceProbe.Memory> last = half(memory, measured, false);
        System.out.println("memory           (every second; measured window: first half -> last half; min / median / max)");
        printHalves("heap used MB", first, last, ServiceProbe.Memory::heapUsedBytes, MIB);
        printHalves("RSS MB", first, last, m -> m.rssKb() < 0 ? -1 : m.rssKb() * 1024, MIB);
        printHalves("netty direct MB", first, last, ServiceProbe.Memory::nettyDirectBytes, MIB);
        printHalves("jvm direct MB", first, last, ServiceProbe.Memory::directBytes, MIB);
        long firstMedian = median(first, ServiceProbe.Memory::heapUsedBytes);
        long lastMedian = median(last, ServiceProbe.Memory::heapUsedBytes);
        if (firstMedian < 0 || lastMedian < 0) {
            misses.add("no heap readings from /q/metrics");
            return false;
        }
        boolean flat = lastMedian <= firstMedian * 1.25 + 32 * MIB;
        if (!flat) {
            misses.add(String.format(Locale.ROOT, "heap grew: median %.1f MB -> %.1f MB", firstMedian / (double) MIB,
                    lastMedian / (double) MIB));
        }
        return flat;
    }

    private long heapMedian(List<ServiceProbe.Memory> memory, Phase measured, boolean firstHalf) {
        return median(half(memory, measured, firstHalf), ServiceProbe.Memory::heapUsedBytes);
    }

    private static List<ServiceProbe.Memory> half(List<ServiceProbe.Memory> memory, Phase measured, boolean firstHalf) {
        long mid = measured.startNanos + (measured.endNanos - measured.startNanos) / 2;
        List<ServiceProbe.Memory> out = new ArrayList<>();
        synchronized (memory) {
            for (ServiceProbe.Memory m : memory) {
                if (m.nanos() < measured.startNanos || m.nanos() > measured.endNanos) {
                    continue;
                }
                if ((m.nanos() < mid) == firstHalf) {
                    out.add(m);
                }
            }
        }
        return out;
    }

    private static void printHalves(String what, List<ServiceProbe.Memory> first, List<ServiceProbe.Memory> last,
                                    ToLongFunction<ServiceProbe.Memory> figure, long unit) {
        if (median(first, figure) < 0 && median(last, figure) < 0) {
            return; // the service does not export it
        }
        System.out.println(String.format(Locale.ROOT, "  %-15s %s  ->  %s", what, minMedianMax(first, figure, unit),
                minMedianMax(last, figure, unit)));
    }

    private static String minMedianMax(List<ServiceProbe.Memory> readings, ToLongFunction<ServiceProbe.Memory> figure, long unit) {
        List<Long> values = new ArrayList<>();
        for (ServiceProbe.Memory m : readings) {
            long v = figure.applyAsLong(m);
            if (v >= 0) {
                values.add(v);
            }
        }
        if (values.isEmpty()) {
            return "n/a";
        }
        Collections.sort(values);
        return String.format(Locale.ROOT, "%7.1f / %7.1f / %7.1f (n=%d)", values.get(0) / (double) unit,
                values.get(values.size() / 2) / (double) unit, values.get(values.size() - 1) / (double) unit, values.size());
    }

    private static long median(List<ServiceProbe.Memory> readings, ToLongFunction<ServiceProbe.Memory> figure) {
        return ServiceProbe.median(readings, figure);
    }

    // ---------------------------------------------------------------- resume

    /** What the reconnected slow client got for resume {lastSeq}. */
    private final class Resume {
        long lastSeq;
        String failure;
        boolean recovered;
        long replayedAnswer = -1;
        int expected;
        int unknownSeq;
        int received;
        int missing;
        int extra;
        int duplicates;
        int outOfOrder;

        boolean exact() {
            return failure == null && recovered && missing == 0 && extra == 0 && duplicates == 0 && outOfOrder == 0
                    && unknownSeq == 0;
        }

        void report(List<String> misses) {
            if (failure != null) {
                System.out.println("resume           from lastSeq " + lastSeq + ": FAILED " + failure);
                misses.add("resume failed: " + failure);
                return;
            }
            System.out.println(String.format(Locale.ROOT,
                    "resume           from lastSeq %d: recovered %s, replayed %d (answer); new_message: %d expected "
                            + "(seq > lastSeq), %d received, missing %d, extra %d, duplicated %d, out of order %d%s",
                    lastSeq, recovered, replayedAnswer, expected, received, missing, extra, duplicates, outOfOrder,
                    unknownSeq > 0 ? "; " + unknownSeq + " messages of unknown seq (the recorder missed them)" : "")
                    + (replayedOther > 0 ? "; also " + replayedOther + " new_message not from this run" : ""));
            if (!exact()) {
                misses.add(String.format(Locale.ROOT, "resume not exact (recovered %s, missing %d, extra %d, dup %d, ooo %d)",
                        recovered, missing, extra, duplicates, outOfOrder));
            }
        }

        String summary() {
            return failure != null ? "failed" : exact() ? "exact" : String.format(Locale.ROOT,
                    "recovered:%s,missing:%d,extra:%d,dup:%d,ooo:%d", recovered, missing, extra, duplicates, outOfOrder);
        }
    }

    /**
     * (d) A new, normal connection of the slow client's user: join_general, then resume from the
     * last seq it read. The replay comes before the resumed answer on the same connection.
     */
    private Resume resume() {
        Resume r = new Resume();
        r.lastSeq = Math.max(0, lastSeqRead);
        BenchClient again = new BenchClient(-2, -1, new BenchClient.Run() {
            @Override
            public Phase phaseOf(long k) {
                return null; // the replay is not part of the phases' deliveries
            }

            @Override
            public Phase windowAt(long nanos) {
                return null;
            }

            @Override
            public int customerOf(long k) {
                return 0;
            }

            @Override
            public Phase current() {
                return null;
            }

            @Override
            public void frame(BenchClient client, FrameParser.Frame frame, String text, long nanos) {
                if ("new_message".equals(frame.event)) {
                    long k = ConnectionBench.benchIndex(frame.content);
                    if (k >= 0) {
                        replayed.add(new long[] {k, frame.seq});
                    } else {
                        replayedOther++;
                    }
                }
            }
        });
        try {
            ConnectionBench.await(bench.connect(bench.loops.get(0), bench.jwt.agentToken(SLOW_USER), again), 30);
            ConnectionBench.await(again.request("join_general", ConnectionBench.JSON.createObjectNode()), 30);
            JsonNode answer = ConnectionBench.await(again.request("resume",
                    ConnectionBench.JSON.createObjectNode().put("lastSeq", r.lastSeq)), 60).path("data");
            r.recovered = answer.path("recovered").asBoolean(false);
            r.replayedAnswer = answer.path("replayed").asLong(-1);
        } catch (Exception e) {
            r.failure = e.getMessage();
            return r;
        } finally {
            bench.closeAll(List.of(again), 10);
        }
        BitSet expected = new BitSet(seqOfK.length);
        for (int k = 0; k < seqOfK.length; k++) {
            if (seqOfK[k] < 0) {
                r.unknownSeq++;
            } else if (seqOfK[k] > r.lastSeq) {
                expected.set(k);
            }
        }
        r.expected = expected.cardinality();
        BitSet got = new BitSet(seqOfK.length);
        long previousSeq = -1;
        synchronized (replayed) {
            for (long[] entry : replayed) {
                int k = (int) entry[0];
                r.received++;
                if (entry[1] <= previousSeq) {
                    r.outOfOrder++;
                }
                previousSeq = entry[1];
                if (k >= seqOfK.length || !expected.get(k)) {
                    r.extra++;
                } else if (got.get(k)) {
                    r.duplicates++;
                }
                got.set(k);
            }
        }
        BitSet missing = (BitSet) expected.clone();
        missing.andNot(got);
        r.missing = missing.cardinality();
        return r;
    }

    // ---------------------------------------------------------------- helpers

    private ScheduledExecutorService startTicker() {
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "progress");
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleAtFixedRate(() -> {
            Phase p = current;
            if (p != null) {
                say(String.format(Locale.ROOT, "  %s: sent %d/%d, answered %d, delivered %d/%d%s", p.name, p.sent.sum(),
                        p.count, p.responses.sum(), p.delivered.sum(), p.expectedDeliveries,
                        slow ? "; slow connection, server's end " + lastServerState + ", send queue "
                                + maxServerSendQueue / 1024 + " KB max" : ""));
            }
        }, 10, 10, TimeUnit.SECONDS);
        return ticker;
    }

    private void say(String line) {
        bench.say(line);
    }

    private static double seconds(long nanos) {
        return ConnectionBench.seconds(nanos);
    }

    private static double ms(long micros) {
        return ConnectionBench.ms(micros);
    }

    private static String fmt(double value) {
        return ConnectionBench.fmt(value);
    }
}
