package io.wagateway.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import org.HdrHistogram.Histogram;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Inbound load harness: N authenticated WebSocket clients in rooms, signed webhooks at a fixed
 * rate, webhook-to-client latency in HdrHistogram. Runs as its own process next to the service
 * (see bench/README.md and bench/run-inbound.sh).
 *
 * <p>Open model: message k is due at start + k / rate and is sent then whatever happened to the
 * earlier ones (a dedicated thread parks until the due time, fires the POST asynchronously and
 * moves on). Both latencies are counted from the due time, so a stalled service or a stalled
 * sender shows up in the figures instead of silently lowering the offered rate (coordinated
 * omission).
 *
 * <p>Steps: seed one message per customer (so the conversations exist), map customer -> conversation
 * with get_conversations, connect the clients (general room or one customer's conversation room),
 * run the warm-up and the measured window back to back, wait for stragglers, tally and report.
 * Exit code 0 when the targets are met, 1 when not, 2 when the run could not be made.
 */
public final class InboundBench implements BenchClient.Run {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WS_PATH = "/ws";

    private final Options options;
    private final String host;
    private final int port;
    private final int clientCount;
    private final int generalCount;
    private final int customers;
    private final double p50TargetMs;
    private final double p99TargetMs;
    private final Webhooks webhooks;
    private final CpuSampler cpu;
    private final long t0 = System.nanoTime();

    private Vertx vertx;
    private HttpClient http;
    private WebhookLoad load;
    private WebSocketClient wsClient;
    private final List<Context> loops = new ArrayList<>();
    private final List<BenchClient> clients = new ArrayList<>();
    /** Clients in each customer's conversation room. */
    private int[] roomSize;

    private final List<Phase> phases = new ArrayList<>();
    /** Phase index of every message k of the run, fixed before the first message is sent. */
    private byte[] phaseOfK;
    private volatile Phase current;

    public static void main(String[] args) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.print(Options.usage());
            System.exit(2);
            return;
        }
        if (options.isSet("help")) {
            System.out.print(Options.usage());
            return;
        }
        int code;
        try {
            code = new InboundBench(options).run();
        } catch (Throwable e) {
            System.err.println("bench failed: " + e);
            e.printStackTrace();
            code = 2;
        }
        System.exit(code);
    }

    InboundBench(Options options) {
        this.options = options;
        URI url = options.url();
        this.host = url.getHost();
        this.port = url.getPort() > 0 ? url.getPort() : 80;
        this.clientCount = options.integer("clients");
        this.generalCount = options.integer("general");
        this.customers = options.integer("customers");
        this.p50TargetMs = options.decimal("p50-ms");
        this.p99TargetMs = options.decimal("p99-ms");
        if (clientCount < 1 || generalCount < 0 || generalCount > clientCount || customers < 1) {
            throw new IllegalArgumentException("need clients >= 1, 0 <= general <= clients, customers >= 1");
        }
        this.webhooks = new Webhooks(options.string("waba-id"), options.string("display"),
                options.string("phone-number-id"), options.string("wa-prefix"), options.string("secret"));
        this.cpu = new CpuSampler(options.longValue("pid"), options.longValue("pg-pid"));
    }

    int run() throws Exception {
        planPhases();
        say("harness: " + options.describe());
        say("plan: " + clientCount + " clients (" + generalCount + " general, " + (clientCount - generalCount)
                + " in conversation rooms), " + customers + " customers; " + phases.size() + " phases, "
                + phaseOfK.length + " messages; CLK_TCK " + cpu.clockTicks);
        startVertx();
        try {
            seed();
            Map<Integer, String> conversations = mapConversations();
            connectClients(conversations);
            ScheduledExecutorService ticker = startTicker();
            try {
                return options.isSet("find-max") ? findMax() : scenario();
            } finally {
                ticker.shutdownNow();
            }
        } finally {
            stopVertx();
        }
    }

    // ---------------------------------------------------------------- plan

    /** Warm-up then measured window; or, with --find-max, warm-up then one phase per step. */
    private void planPhases() {
        int warmup = options.integer("warmup");
        long k = 0;
        if (options.isSet("find-max")) {
            List<Double> steps = options.decimals("steps");
            if (steps.isEmpty()) {
                throw new IllegalArgumentException("--steps is empty");
            }
            if (warmup > 0) {
                phases.add(new Phase("warm-up", steps.get(0), warmup, k, false));
                k = phases.get(phases.size() - 1).endK();
            }
            for (double rate : steps) {
                phases.add(new Phase("step " + fmtRate(rate) + "/s", rate, options.integer("step-duration"), k, true));
                k = phases.get(phases.size() - 1).endK();
            }
        } else {
            double rate = options.decimal("rate");
            if (warmup > 0) {
                phases.add(new Phase("warm-up", rate, warmup, k, false));
                k = phases.get(phases.size() - 1).endK();
            }
            phases.add(new Phase("measured", rate, options.integer("duration"), k, true));
            k = phases.get(phases.size() - 1).endK();
        }
        if (k > Integer.MAX_VALUE - 1) {
            throw new IllegalArgumentException("too many messages for one run: " + k);
        }
        phaseOfK = new byte[(int) k];
        for (int i = 0; i < phases.size(); i++) {
            Phase phase = phases.get(i);
            java.util.Arrays.fill(phaseOfK, (int) phase.firstK, (int) phase.endK(), (byte) i);
        }
        // who is entitled to what: general clients get every message, room clients their customer's
        roomSize = new int[customers];
        for (int i = generalCount; i < clientCount; i++) {
            roomSize[i % customers]++;
        }
        for (Phase phase : phases) {
            long expected = 0;
            for (long m = phase.firstK; m < phase.endK(); m++) {
                expected += generalCount + roomSize[customerOf(m)];
            }
            phase.expectedDeliveries = expected;
        }
    }

    @Override
    public Phase phaseOf(long k) {
        return k >= 0 && k < phaseOfK.length ? phases.get(phaseOfK[(int) k]) : null;
    }

    @Override
    public Phase windowAt(long nanos) {
        Phase phase = current;
        return phase != null && nanos >= phase.startNanos && nanos < phase.endNanos ? phase : null;
    }

    @Override
    public int customerOf(long k) {
        return (int) (k % customers); // round robin: every customer gets rate / customers messages a second
    }

    @Override
    public Phase current() {
        return current;
    }

    // ---------------------------------------------------------------- setup

    private void startVertx() throws Exception {
        int eventLoops = options.integer("event-loops");
        vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops).setPreferNativeTransport(false));
        // one context per event loop, so that the WebSocket clients are spread over all of them
        // (connections opened from the main thread would all land on one "sticky" context)
        for (int i = 0; i < eventLoops; i++) {
            CompletableFuture<Context> loop = new CompletableFuture<>();
            vertx.deployVerticle(new AbstractVerticle() {
                @Override
                public void start() {
                    loop.complete(context);
                }
            });
            loops.add(loop.get(10, TimeUnit.SECONDS));
        }
        http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setKeepAliveTimeout(300)
                        .setDefaultHost(host).setDefaultPort(port).setConnectTimeout(10_000),
                new PoolOptions().setHttp1MaxSize(options.integer("http-connections")));
        load = new WebhookLoad(http, host, port, webhooks, cpu, this::customerOf, this::say);
        wsClient = vertx.createWebSocketClient(new WebSocketClientOptions()
                .setMaxConnections(clientCount + 10)     // default 50 per endpoint would queue the rest
                .setMaxFrameSize(1 << 20)                // get_conversations pages of 200 exceed 64 KiB
                .setMaxMessageSize(16 << 20)
                .setConnectTimeout(30_000));
    }

    private void stopVertx() {
        BenchClient.closing = true;
        if (vertx == null) {
            return;
        }
        try {
            List<Future<Void>> closes = new ArrayList<>();
            for (BenchClient client : clients) {
                closes.add(client.close());
            }
            await(Future.join(closes), 10);
        } catch (Exception e) {
            // closing is best effort
        }
        try {
            await(vertx.close(), 10);
        } catch (Exception e) {
            // exiting anyway
        }
    }

    /** (a) One message per customer, a few at a time, so that every conversation exists. */
    private void seed() throws Exception {
        load.seed(customers, options.integer("seed-concurrency"));
    }

    /** (b) customer index -> conversation id, from get_conversations pages on a setup connection. */
    private Map<Integer, String> mapConversations() throws Exception {
        Map<String, Integer> customerByWaId = new HashMap<>();
        for (int c = 0; c < customers; c++) {
            customerByWaId.put(webhooks.waId(c), c);
        }
        BenchClient setup = await(open(loops.get(0), -1, -1, "bench-setup", null), 30);
        Map<Integer, String> conversations = new HashMap<>();
        try {
            String cursor = null;
            int pages = 0;
            do {
                ObjectNode data = JSON.createObjectNode().put("limit", 200);
                if (cursor != null) {
                    data.put("cursor", cursor);
                }
                JsonNode answer = await(setup.request("get_conversations", data), 30);
                for (JsonNode conversation : answer.path("data")) {
                    Integer customer = customerByWaId.get(conversation.path("contact").path("waId").asText());
                    if (customer != null) {
                        conversations.put(customer, conversation.path("id").asText());
                    }
                }
                cursor = answer.hasNonNull("nextCursor") ? answer.get("nextCursor").asText() : null;
                pages++;
                if (pages % 15 == 0) {
                    Thread.sleep(1000); // stay under the per-connection rate limit (20/s, bursts of 50)
                }
            } while (cursor != null);
        } finally {
            await(setup.close(), 10);
        }
        if (conversations.size() != customers) {
            throw new IllegalStateException("found conversations of " + conversations.size() + " of " + customers
                    + " customers");
        }
        return conversations;
    }

    /** (c) Connect in batches; each client sends its one join and waits for the answer. */
    private void connectClients(Map<Integer, String> conversations) throws Exception {
        long start = System.nanoTime();
        int batch = Math.max(1, options.integer("connect-batch"));
        for (int from = 0; from < clientCount; from += batch) {
            List<Future<BenchClient>> opening = new ArrayList<>();
            for (int i = from; i < Math.min(clientCount, from + batch); i++) {
                boolean general = i < generalCount;
                int customer = general ? -1 : i % customers;
                opening.add(open(loops.get(i % loops.size()), i, customer, String.format("bench-agent-%04d", i),
                        general ? "" : conversations.get(customer)));
            }
            await(Future.all(opening), 60);
            for (Future<BenchClient> client : opening) {
                clients.add(client.result());
            }
        }
        say(String.format(Locale.ROOT, "connected and joined %d clients in %.1f s", clients.size(),
                seconds(System.nanoTime() - start)));
    }

    /**
     * Opens one client on the given event loop. joinConversation: null = join nothing (setup
     * client), "" = join_general, else join_conversation of that id.
     */
    private Future<BenchClient> open(Context loop, int index, int customer, String userId, String joinConversation)
            throws Exception {
        WebSocketConnectOptions connect = new WebSocketConnectOptions().setHost(host).setPort(port).setURI(WS_PATH)
                .setAllowOriginHeader(false) // the service only accepts Origins from its allow-list
                .setTimeout(30_000)
                .addHeader("Authorization", "Bearer " + jwtFor(userId));
        BenchClient client = new BenchClient(index, customer, this);
        Promise<BenchClient> opened = Promise.promise();
        loop.runOnContext(v -> wsClient.connect(connect)
                .compose(ws -> {
                    client.attach(ws);
                    if (joinConversation == null) {
                        return Future.succeededFuture();
                    }
                    return joinConversation.isEmpty()
                            ? client.request("join_general", JSON.createObjectNode())
                            : client.request("join_conversation", JSON.createObjectNode().put("conversationId", joinConversation));
                })
                .map(joined -> client)
                .onComplete(opened));
        return opened.future();
    }

    private Jwt jwt;

    private String jwtFor(String userId) throws Exception {
        if (jwt == null) {
            jwt = new Jwt(Path.of(options.string("key")), options.string("issuer"), options.string("tenant"));
        }
        return jwt.agentToken(userId);
    }

    // ---------------------------------------------------------------- load

    /** (d) Sends the phases back to back; returns when the last message is sent. */
    private void send(List<Phase> run, long startNanos) throws InterruptedException {
        load.send(run, startNanos, phase -> current = phase);
    }

    /** (f) Waits for stragglers after the window, then counts what never arrived. */
    private void drain(Phase phase) throws InterruptedException {
        load.drain(phase, clients, customers, options.integer("drain"));
    }

    private int scenario() throws InterruptedException {
        send(phases, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100));
        Phase measured = phases.get(phases.size() - 1);
        drain(measured);
        if (phases.size() > 1) {
            reportWarmup(phases.get(0));
        }
        boolean pass = report(measured);
        System.out.println();
        System.out.println("RESULT " + (pass ? "PASS" : "FAIL") + " " + summary(measured));
        return pass ? 0 : 1;
    }

    /** Steps up the rate until a step misses the targets; the highest passing step is the answer. */
    private int findMax() throws InterruptedException {
        List<Phase> steps = new ArrayList<>();
        List<Phase> first = new ArrayList<>();
        for (Phase phase : phases) {
            if (phase.measured) {
                steps.add(phase);
            }
        }
        if (!phases.get(0).measured) {
            first.add(phases.get(0));
        }
        first.add(steps.get(0));
        List<Boolean> results = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            Phase step = steps.get(i);
            send(i == 0 ? first : List.of(step), System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100));
            drain(step);
            if (i == 0 && !first.get(0).measured) {
                reportWarmup(first.get(0));
            }
            boolean pass = report(step);
            results.add(pass);
            if (!pass) {
                break; // the backlog of an overloaded step would only spoil the next one
            }
        }
        System.out.println();
        System.out.println("=== find-max summary (targets: p50 <= " + fmt(p50TargetMs) + " ms, p99 <= " + fmt(p99TargetMs)
                + " ms, nothing lost, duplicated, out of order or refused) ===");
        System.out.println(String.format(Locale.ROOT, "%10s %10s %9s %9s %9s %8s %6s %6s %8s %12s  %s", "rate/s",
                "200 OK/s", "p50 ms", "p99 ms", "max ms", "lost", "dup", "ooo", "non-200", "svc CPU s/1k", "result"));
        double best = -1;
        for (int i = 0; i < results.size(); i++) {
            Phase step = steps.get(i);
            System.out.println(String.format(Locale.ROOT, "%10s %10.1f %9.2f %9.2f %9.2f %8d %6d %6d %8d %12s  %s",
                    fmtRate(step.rate), achievedRate(step), ms(step.latency.getValueAtPercentile(50)),
                    ms(step.latency.getValueAtPercentile(99)), ms(step.latency.getMaxValue()), step.lost,
                    step.duplicates.sum(), step.outOfOrder.sum(),
                    step.non200.sum() + step.failed.sum() + step.sent.sum() - step.responses.sum(),
                    cpuPer1000(step), results.get(i) ? "PASS" : "FAIL"));
            if (results.get(i)) {
                best = step.rate;
            }
        }
        for (int i = results.size(); i < steps.size(); i++) {
            System.out.println(String.format(Locale.ROOT, "%10s %s", fmtRate(steps.get(i).rate), "  (not run)"));
        }
        System.out.println();
        System.out.println(best < 0 ? "RESULT no step met the targets (lowest tried " + fmtRate(steps.get(0).rate) + "/s)"
                : "RESULT highest sustainable rate " + fmtRate(best) + " msg/s"
                + (results.size() == steps.size() && results.get(results.size() - 1) ? " (the highest step tried: try higher --steps)" : ""));
        System.out.println("Compare with the raw durable single-row insert rate of the same PostgreSQL: bench/pgbench-insert.sh");
        return results.get(0) ? 0 : 1;
    }

    // ---------------------------------------------------------------- report

    private void reportWarmup(Phase warmup) {
        System.out.println();
        System.out.println(String.format(Locale.ROOT,
                "warm-up: %d webhooks at %s/s: %d OK, %d non-200, %d failed; duplicates %d, out-of-order %d",
                warmup.count, fmtRate(warmup.rate), warmup.ok.sum(), warmup.non200.sum(), warmup.failed.sum(),
                warmup.duplicates.sum(), warmup.outOfOrder.sum()));
    }

    /** (h) The report of one measured phase; true when it meets every target. */
    private boolean report(Phase p) {
        double window = p.seconds;
        long unanswered = p.sent.sum() - p.responses.sum(); // still in flight after the drain
        long nonOk = p.non200.sum() + p.failed.sum() + unanswered;
        int closed = BenchClient.closedUnexpectedly.get();
        System.out.println();
        System.out.println("=== " + p.name + " (messages " + p.firstK + ".." + (p.endK() - 1) + ") ===");
        // sent rate: messages over the time from the window's start to the last send plus one interval
        // (= the window when the sender kept up)
        System.out.println(String.format(Locale.ROOT, "rate             configured %s/s; sent %.1f/s; answered 200 %.1f/s",
                fmtRate(p.rate), p.sent.sum() / seconds(p.lastSendNanos.get() - p.startNanos + p.offsetNanos(1)),
                achievedRate(p)));
        System.out.println(String.format(Locale.ROOT, "webhooks         %d sent, %d answered 200, %d other status%s, %d failed (no HTTP answer), %d unanswered after the drain",
                p.sent.sum(), p.ok.sum(), p.non200.sum(), otherStatuses(p), p.failed.sum(), unanswered));
        System.out.println("sender lag       " + percentiles(p.sendLag, false) + "  (actual send - scheduled: the harness's own delay)");
        System.out.println("webhook response " + percentiles(p.response, false) + "  (response - scheduled)");
        System.out.println("webhook->client  " + percentiles(p.latency, true) + "  (new_message receipt - scheduled, n="
                + p.latency.getTotalCount() + ")");
        StringBuilder byEvent = new StringBuilder();
        new java.util.TreeMap<>(p.framesByEvent).forEach((event, n) -> byEvent.append(byEvent.length() == 0 ? "" : ", ")
                .append(event).append(' ').append(n.sum()));
        System.out.println(String.format(Locale.ROOT, "pushed frames    %.0f durable frames/s to all clients (%d in the %d s window: %s)",
                p.framesInWindow.sum() / window, p.framesInWindow.sum(), p.seconds, byEvent));
        System.out.println(String.format(Locale.ROOT,
                "deliveries       new_message: %d expected, %d received, lost %d, duplicated %d, misrouted %d",
                p.expectedDeliveries, p.delivered.sum(), p.lost, p.duplicates.sum(), p.misrouted.sum()));
        System.out.println(String.format(Locale.ROOT,
                "seq order        out-of-order %d (all durable frames, every client); clients closed by the server %d",
                p.outOfOrder.sum(), closed));
        printCpu(p);
        List<String> misses = new ArrayList<>();
        double p50 = ms(p.latency.getValueAtPercentile(50));
        double p99 = ms(p.latency.getValueAtPercentile(99));
        if (p.latency.getTotalCount() == 0) {
            misses.add("no deliveries measured");
        }
        if (p50 > p50TargetMs) {
            misses.add(String.format(Locale.ROOT, "p50 %.2f ms > %s", p50, fmt(p50TargetMs)));
        }
        if (p99 > p99TargetMs) {
            misses.add(String.format(Locale.ROOT, "p99 %.2f ms > %s", p99, fmt(p99TargetMs)));
        }
        if (p.lost > 0) {
            misses.add(p.lost + " lost");
        }
        if (p.duplicates.sum() > 0) {
            misses.add(p.duplicates.sum() + " duplicated");
        }
        if (p.misrouted.sum() > 0) {
            misses.add(p.misrouted.sum() + " misrouted");
        }
        if (p.outOfOrder.sum() > 0) {
            misses.add(p.outOfOrder.sum() + " out of order");
        }
        if (nonOk > 0) {
            misses.add(nonOk + " webhooks not answered 200 (" + unanswered + " of them unanswered)");
        }
        if (closed > 0) {
            misses.add(closed + " clients closed");
        }
        System.out.println(String.format(Locale.ROOT, "targets          p50 <= %s ms, p99 <= %s ms, 0 lost/dup/out-of-order/non-200: %s",
                fmt(p50TargetMs), fmt(p99TargetMs), misses.isEmpty() ? "MET" : "MISSED (" + String.join(", ", misses) + ")"));
        return misses.isEmpty();
    }

    private void printCpu(Phase p) {
        if (p.cpuStart == null || p.cpuEnd == null) {
            return;
        }
        double wall = seconds(p.cpuEnd.nanos() - p.cpuStart.nanos());
        long webhooksOk = p.ok.sum();
        System.out.println(String.format(Locale.ROOT, "CPU              over %.1f s (window + drain), %d webhooks answered 200:", wall, webhooksOk));
        printCpuLine("service", p.cpuStart.serviceTicks(), p.cpuEnd.serviceTicks(), wall, webhooksOk,
                "  <- the figure that carries across machines");
        printCpuLine("postgres", p.cpuStart.postgresTicks(), p.cpuEnd.postgresTicks(), wall, webhooksOk, options.longValue("pg-pid") > 0
                ? "  (the postmaster and its children)" : "  (every process named postgres: pass --pg-pid)");
        printCpuLine("harness", p.cpuStart.harnessTicks(), p.cpuEnd.harnessTicks(), wall, webhooksOk, "");
        long busy = p.cpuEnd.machineBusy() - p.cpuStart.machineBusy();
        long total = p.cpuEnd.machineTotal() - p.cpuStart.machineTotal();
        if (p.cpuStart.machineBusy() >= 0 && total > 0) {
            System.out.println(String.format(Locale.ROOT, "  machine  %.0f%% busy of %d cores", 100.0 * busy / total,
                    Runtime.getRuntime().availableProcessors()));
        }
    }

    private void printCpuLine(String who, long start, long end, double wall, long webhooksOk, String note) {
        if (start < 0 || end < 0) {
            System.out.println(String.format(Locale.ROOT, "  %-8s not measured%s", who,
                    "service".equals(who) ? " (pass --pid <service pid>)" : ""));
            return;
        }
        double used = cpu.seconds(end - start);
        System.out.println(String.format(Locale.ROOT, "  %-8s %7.2f CPU s = %5.1f%% of one core = %s CPU s per 1,000 webhooks%s",
                who, used, 100 * used / wall,
                webhooksOk == 0 ? "n/a" : String.format(Locale.ROOT, "%.3f", used * 1000 / webhooksOk), note));
    }

    private String cpuPer1000(Phase p) {
        if (p.cpuStart == null || p.cpuEnd == null || p.cpuStart.serviceTicks() < 0 || p.ok.sum() == 0) {
            return "-";
        }
        return String.format(Locale.ROOT, "%.3f", cpu.seconds(p.cpuEnd.serviceTicks() - p.cpuStart.serviceTicks()) * 1000 / p.ok.sum());
    }

    private String summary(Phase p) {
        return String.format(Locale.ROOT, "rate=%s/s achieved=%.1f/s p50=%.2fms p99=%.2fms p99.9=%.2fms max=%.2fms "
                        + "lost=%d dup=%d ooo=%d non200=%d frames/s=%.0f svc_cpu_s_per_1k=%s",
                fmtRate(p.rate), achievedRate(p), ms(p.latency.getValueAtPercentile(50)),
                ms(p.latency.getValueAtPercentile(99)), ms(p.latency.getValueAtPercentile(99.9)),
                ms(p.latency.getMaxValue()), p.lost, p.duplicates.sum(), p.outOfOrder.sum(),
                p.non200.sum() + p.failed.sum() + p.sent.sum() - p.responses.sum(),
                p.framesInWindow.sum() / (double) p.seconds, cpuPer1000(p));
    }

    /** Webhooks answered 200 per second, from the window's start to the last 200 answer. */
    private static double achievedRate(Phase p) {
        long last = p.lastOkNanos.get();
        if (last == 0) {
            return 0;
        }
        // at least the window: a service that keeps up answers the last message right after it is sent
        return p.ok.sum() / seconds(Math.max(last - p.startNanos, p.durationNanos()));
    }

    private static String otherStatuses(Phase p) {
        StringBuilder text = new StringBuilder();
        p.statuses.forEach((status, n) -> {
            if (status != 200) {
                text.append(text.length() == 0 ? "" : " ").append(status).append('x').append(n.sum());
            }
        });
        return text.length() == 0 ? "" : " (" + text + ")";
    }

    private static String percentiles(Histogram h, boolean detailed) {
        if (h.getTotalCount() == 0) {
            return "no samples";
        }
        return detailed
                ? String.format(Locale.ROOT, "p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f ms",
                ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(90)), ms(h.getValueAtPercentile(99)),
                ms(h.getValueAtPercentile(99.9)), ms(h.getMaxValue()))
                : String.format(Locale.ROOT, "p50 %.2f  p99 %.2f  max %.2f ms",
                ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(99)), ms(h.getMaxValue()));
    }

    /** Every 10 s: where the run is, so a stall is visible while it happens. */
    private ScheduledExecutorService startTicker() {
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "progress");
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleAtFixedRate(() -> {
            Phase p = current;
            if (p != null) {
                say(String.format(Locale.ROOT, "  %s: sent %d/%d, answered %d (200: %d), delivered %d/%d",
                        p.name, p.sent.sum(), p.count, p.responses.sum(), p.ok.sum(),
                        p.delivered.sum(), p.expectedDeliveries));
            }
        }, 10, 10, TimeUnit.SECONDS);
        return ticker;
    }

    // ---------------------------------------------------------------- helpers

    private static <T> T await(Future<T> future, long seconds) throws Exception {
        try {
            return future.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        }
    }

    private void say(String line) {
        System.out.println(String.format(Locale.ROOT, "[%7.1f s] %s", seconds(System.nanoTime() - t0), line));
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    private static double ms(long micros) {
        return micros / 1000.0;
    }

    private static String fmt(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }

    private static String fmtRate(double rate) {
        return fmt(rate);
    }
}
