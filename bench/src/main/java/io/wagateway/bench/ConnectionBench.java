package io.wagateway.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.stream.IntStream;

/**
 * Connection scenarios (see bench/README.md, "Connections", and bench/run-connections.sh),
 * chosen with {@code --scenario}:
 * <ul>
 *   <li>{@code idle}: the service's RSS per idle connection, from the RSS at --baseline and at
 *       --clients connections of one user;</li>
 *   <li>{@code storm-one-user}: --clients connections of one user opened at once, each joining
 *       the general room; wall time and per-client upgrade and join times;</li>
 *   <li>{@code storm-users}: the same with a distinct user per connection, then presence: an
 *       observer's view from the presence frames and {@code get_agents} must show every user
 *       online, and, after all close, offline;</li>
 *   <li>{@code shutdown}: --clients connections of distinct users, then SIGTERM to the service: every
 *       connection must be closed with 1001 within --shutdown-target, no presence row may be left
 *       behind, and the service's log must stay free of errors and warnings from the SIGTERM on;</li>
 *   <li>{@code slow-consumer}: general-room clients under webhook load beside one client that
 *       stops reading its socket ({@link SlowConsumer}).</li>
 * </ul>
 * Prints one {@code RESULT} line. Exit code 0 when the scenario's target is met, 1 when missed,
 * 2 when the run itself failed. A feature the service lacks shows up as MISSED, never as a crash.
 */
public final class ConnectionBench implements BenchClient.Run {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String WS_PATH = "/ws";
    static final String OBSERVER = "bench-observer";

    final Options options;
    final String scenario;
    final String host;
    final int port;
    final Jwt jwt;
    final CpuSampler cpu;
    final ServiceProbe probe;
    private final long t0 = System.nanoTime();

    Vertx vertx;
    WebSocketClient wsClient;
    final List<Context> loops = new ArrayList<>();
    /** Every client opened, so that all are closed at the end. */
    private final Collection<BenchClient> opened = new ConcurrentLinkedQueue<>();

    /** storm-users: the observer and what it makes of the presence frames. */
    private volatile BenchClient observer;
    private final PresenceView presence = new PresenceView();
    /** slow-consumer: its own view of frames (the phases, the recorder of seqs). */
    volatile BenchClient.Run delegate;

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
            code = new ConnectionBench(options).run();
        } catch (Throwable e) {
            System.err.println("bench failed: " + e);
            e.printStackTrace();
            System.out.println("RESULT ERROR scenario=" + options.string("scenario") + " " + e);
            code = 2;
        }
        System.exit(code);
    }

    ConnectionBench(Options options) throws Exception {
        this.options = options;
        this.scenario = options.string("scenario");
        // the shared flags' defaults are the inbound harness's; these are the scenarios' (run-connections.sh passes the same)
        switch (scenario) {
            case "idle", "storm-one-user", "storm-users", "shutdown" -> options.defaultTo("clients", "10000");
            case "slow-consumer" -> {
                options.defaultTo("clients", "50");
                options.defaultTo("rate", "200");
                options.defaultTo("duration", "40");
                options.defaultTo("warmup", "30"); // the slow client reads during it; the JIT warms up
                options.defaultTo("customers", "100");
            }
            default -> throw new IllegalArgumentException("unknown --scenario " + scenario
                    + " (idle, storm-one-user, storm-users, shutdown, slow-consumer)");
        }
        URI url = options.url();
        this.host = url.getHost();
        this.port = url.getPort() > 0 ? url.getPort() : 80;
        this.jwt = new Jwt(Path.of(options.string("key")), options.string("issuer"), options.string("tenant"));
        this.cpu = new CpuSampler(options.longValue("pid"), options.longValue("pg-pid"));
        this.probe = new ServiceProbe(url, options.longValue("pid"));
    }

    int run() throws Exception {
        say("harness: " + options.describe());
        say("service: " + probe.commandLine());
        if (!probe.ready()) {
            System.out.println("RESULT ERROR scenario=" + scenario + " the service does not answer " + options.url() + "/q/health/ready");
            return 2;
        }
        startVertx();
        try {
            return switch (scenario) {
                case "idle" -> idle();
                case "storm-one-user" -> storm(false);
                case "storm-users" -> storm(true);
                case "shutdown" -> shutdown();
                default -> new SlowConsumer(this).run();
            };
        } finally {
            stopVertx();
        }
    }

    // ---------------------------------------------------------------- idle

    /** RSS per idle connection: (RSS at N - RSS at the baseline) / (N - baseline), medians of a few readings each. */
    private int idle() throws Exception {
        int total = options.integer("clients");
        int baseline = options.integer("baseline");
        int settle = options.integer("settle");
        int samples = Math.max(1, options.integer("samples"));
        double targetKb = options.decimal("kb-per-connection");
        if (total <= baseline || baseline < 1) {
            throw new IllegalArgumentException("idle needs --clients > --baseline >= 1");
        }
        if (!probe.hasPid()) {
            throw new IllegalArgumentException("idle needs --pid <service pid> for its RSS");
        }
        String token = jwt.agentToken("bench-idle"); // one user: presence flips once
        Storm first = open("baseline", 0, baseline, i -> token);
        if (first.joined.get() < baseline) {
            System.out.println("RESULT ERROR scenario=idle baseline connections failed: " + first.failures.peek());
            return 2;
        }
        say("settling " + settle + " s, then " + samples + " readings a second apart");
        Thread.sleep(settle * 1000L);
        List<ServiceProbe.Memory> before = probe.samples(samples);
        Storm rest = open("the rest", baseline, total, i -> token);
        say("settling " + settle + " s, then " + samples + " readings a second apart");
        Thread.sleep(settle * 1000L);
        List<ServiceProbe.Memory> after = probe.samples(samples);

        int openBefore = first.clients.size();
        int openAfter = openBefore + rest.clients.size() - BenchClient.closedUnexpectedly.get();
        long rssBefore = ServiceProbe.median(before, ServiceProbe.Memory::rssKb);
        long rssAfter = ServiceProbe.median(after, ServiceProbe.Memory::rssKb);
        long heapBefore = ServiceProbe.median(before, ServiceProbe.Memory::heapUsedBytes);
        long heapAfter = ServiceProbe.median(after, ServiceProbe.Memory::heapUsedBytes);
        long serverBefore = ServiceProbe.median(before, ServiceProbe.Memory::connections);
        long serverAfter = ServiceProbe.median(after, ServiceProbe.Memory::connections);
        int added = openAfter - openBefore;
        double kbPerConnection = added > 0 ? (rssAfter - rssBefore) / (double) added : Double.NaN;
        double heapKbPerConnection = added > 0 && heapBefore >= 0 && heapAfter >= 0
                ? (heapAfter - heapBefore) / 1024.0 / added : Double.NaN;

        System.out.println();
        System.out.println("=== idle connections (one user, join_general each; nothing forced: no GC, no heap dump) ===");
        printStorm(rest);
        System.out.println(String.format(Locale.ROOT, "%-16s %8s %12s %12s %12s", "", "open", "RSS MB", "heap MB", "server says"));
        System.out.println(String.format(Locale.ROOT, "%-16s %8d %12.1f %12.1f %12d", "baseline", openBefore,
                rssBefore / 1024.0, heapBefore / 1048576.0, serverBefore));
        System.out.println(String.format(Locale.ROOT, "%-16s %8d %12.1f %12.1f %12d", "all", openAfter,
                rssAfter / 1024.0, heapAfter / 1048576.0, serverAfter));
        System.out.println("readings         RSS KB " + figures(before, ServiceProbe.Memory::rssKb) + " -> "
                + figures(after, ServiceProbe.Memory::rssKb) + " (medians count)");
        System.out.println("                 heap MB " + mbFigures(before) + " -> " + mbFigures(after)
                + " (sum of jvm_memory_used_bytes{area=\"heap\"})");
        System.out.println(String.format(Locale.ROOT,
                "per connection   RSS %.2f KB, heap %.2f KB  ((all - baseline) / %d connections)", kbPerConnection,
                heapKbPerConnection, added));
        List<String> misses = new ArrayList<>();
        if (rest.joined.get() < total - baseline) {
            misses.add((total - baseline - rest.joined.get()) + " of " + (total - baseline) + " connections did not join");
        }
        if (BenchClient.closedUnexpectedly.get() > 0) {
            misses.add(BenchClient.closedUnexpectedly.get() + " closed by the server");
        }
        if (!(kbPerConnection <= targetKb)) {
            misses.add(String.format(Locale.ROOT, "%.2f KB per connection > %s", kbPerConnection, fmt(targetKb)));
        }
        System.out.println(targets("RSS per idle connection <= " + fmt(targetKb) + " KB", misses));
        System.out.println();
        System.out.println(String.format(Locale.ROOT,
                "RESULT %s scenario=idle connections=%d rss_baseline_mb=%.1f rss_all_mb=%.1f rss_kb_per_conn=%.2f "
                        + "heap_baseline_mb=%.1f heap_all_mb=%.1f heap_kb_per_conn=%.2f",
                misses.isEmpty() ? "PASS" : "FAIL", openAfter, rssBefore / 1024.0, rssAfter / 1024.0, kbPerConnection,
                heapBefore / 1048576.0, heapAfter / 1048576.0, heapKbPerConnection));
        return misses.isEmpty() ? 0 : 1;
    }

    // ---------------------------------------------------------------- storms

    /** --clients connections at once, of one user or one user each; with distinct users, presence is checked after. */
    private int storm(boolean distinctUsers) throws Exception {
        int n = options.integer("clients");
        double target = options.decimal("storm-target") > 0 ? options.decimal("storm-target") : distinctUsers ? 10 : 5;
        String name = distinctUsers ? "storm-users" : "storm-one-user";
        if (distinctUsers) {
            observer = await(connect(loops.get(0), jwt.agentToken(OBSERVER), new BenchClient(-1, -1, this)), 30);
            say("observer " + OBSERVER + " connected; it counts presence frames from now on");
        }
        IntFunction<String> tokens = tokens(n, distinctUsers);
        Thread.sleep(1000); // the observer's own user_online and the token signing are behind us
        PresenceView.Counts beforeStorm = presence.counts();
        CpuSampler.Sample cpuStart = cpu.sample();
        Storm storm = open(name, 0, n, tokens);
        CpuSampler.Sample cpuEnd = cpu.sample();

        System.out.println();
        System.out.println("=== " + name + ": " + n + " connections of " + (distinctUsers ? n + " users" : "one user")
                + ", each join_general, up to " + options.integer("in-flight") + " in flight ===");
        printStorm(storm);
        printCpu(cpuStart, cpuEnd);
        double wall = storm.wallSeconds();
        List<String> misses = new ArrayList<>();
        if (storm.joined.get() < n) {
            misses.add((n - storm.joined.get()) + " of " + n + " did not join"
                    + (storm.unfinished() > 0 ? " (" + storm.unfinished() + " unfinished after --storm-timeout "
                    + options.integer("storm-timeout") + " s)" : ""));
        } else if (wall > target) {
            misses.add(String.format(Locale.ROOT, "%.2f s > %s s", wall, fmt(target)));
        }
        if (BenchClient.closedUnexpectedly.get() > 0) {
            misses.add(BenchClient.closedUnexpectedly.get() + " closed by the server");
        }
        String presenceResult = "";
        if (distinctUsers) {
            presenceResult = checkPresence(storm, beforeStorm, misses);
        }
        System.out.println(targets("all " + n + " joined within " + fmt(target) + " s of the first connect"
                + (distinctUsers ? "; presence online then offline" : ""), misses));
        System.out.println();
        System.out.println(String.format(Locale.ROOT,
                "RESULT %s scenario=%s clients=%d joined=%d not_joined=%d wall_s=%s upgrade_p50_ms=%.1f upgrade_p99_ms=%.1f "
                        + "join_p50_ms=%.1f join_p99_ms=%.1f%s",
                misses.isEmpty() ? "PASS" : "FAIL", name, n, storm.joined.get(), n - storm.joined.get(),
                storm.complete() ? String.format(Locale.ROOT, "%.2f", wall) : ">" + options.integer("storm-timeout"),
                ms(storm.upgrade.getValueAtPercentile(50)), ms(storm.upgrade.getValueAtPercentile(99)),
                ms(storm.join.getValueAtPercentile(50)), ms(storm.join.getValueAtPercentile(99)), presenceResult));
        return misses.isEmpty() ? 0 : 1;
    }

    // ---------------------------------------------------------------- shutdown

    /** SIGTERM with --clients connections open (the service is gone afterwards: run it last). */
    private int shutdown() throws Exception {
        int n = options.integer("clients");
        long pid = options.longValue("pid");
        if (pid <= 0) {
            throw new IllegalArgumentException("shutdown needs --pid <service pid>");
        }
        ProcessHandle service = ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("no process " + pid));
        Storm storm = open("shutdown", 0, n, tokens(n, true));
        if (storm.joined.get() < n) {
            System.out.println("RESULT ERROR scenario=shutdown only " + storm.joined.get() + " of " + n + " joined");
            return 2;
        }
        Thread.sleep(2000); // presence rows of the storm written
        Path log = options.string("service-log").isEmpty() ? null : Path.of(options.string("service-log"));
        long logOffset = log == null ? 0 : Files.size(log);
        BenchClient.expectingShutdown = true;
        long sigterm = System.nanoTime();
        service.destroy(); // SIGTERM
        long deadline = sigterm + TimeUnit.SECONDS.toNanos(30);
        while (BenchClient.serverCloses.get() < n && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        double lastClose = seconds(BenchClient.lastServerCloseNanos.get() - sigterm);
        boolean exited = service.onExit().completeOnTimeout(null, 40, TimeUnit.SECONDS).get() != null;
        double exitedAfter = seconds(System.nanoTime() - sigterm);
        int with1001 = BenchClient.serverCloseCodes.getOrDefault(1001, new AtomicInteger()).get();
        String presenceRows = psql("select count(*) from presence where tenant_id = '" + options.string("tenant") + "'");
        List<String> logged = new ArrayList<>();
        if (log != null) {
            byte[] all = Files.readAllBytes(log);
            String after = new String(all, (int) Math.min(logOffset, all.length), (int) (all.length - Math.min(logOffset, all.length)),
                    StandardCharsets.UTF_8);
            after.lines().filter(line -> line.contains(" ERROR ") || line.contains(" WARN ") || line.contains("Exception"))
                    .limit(10).forEach(logged::add);
        }

        System.out.println();
        System.out.println("=== shutdown: SIGTERM with " + n + " connections of " + n + " users open ===");
        System.out.println("closes           " + BenchClient.serverCloses.get() + " of " + n + " closed by the server; codes "
                + new TreeMap<>(BenchClient.serverCloseCodes));
        System.out.println(String.format(Locale.ROOT, "timing           last close %.2f s after SIGTERM, process exited %s",
                lastClose, exited ? String.format(Locale.ROOT, "%.2f s after SIGTERM", exitedAfter) : "NOT within 40 s"));
        System.out.println("presence rows    " + presenceRows + " left for the tenant");
        System.out.println("log after SIGTERM " + (logged.isEmpty() ? "no errors or warnings" : logged.size() + " lines:"));
        logged.forEach(line -> System.out.println("  " + line));
        List<String> misses = new ArrayList<>();
        if (with1001 < n) {
            misses.add((n - with1001) + " of " + n + " not closed with 1001");
        }
        if (lastClose > options.decimal("shutdown-target")) {
            misses.add(String.format(Locale.ROOT, "last close %.2f s > %s s", lastClose, fmt(options.decimal("shutdown-target"))));
        }
        if (!exited) {
            misses.add("the process did not exit");
        }
        if (!"0".equals(presenceRows)) {
            misses.add("presence rows left: " + presenceRows);
        }
        if (!logged.isEmpty()) {
            misses.add(logged.size() + " log lines with errors or warnings");
        }
        System.out.println(targets("every connection closed with 1001 within " + fmt(options.decimal("shutdown-target"))
                + " s, presence cleaned up, a clean log", misses));
        System.out.println();
        System.out.println(String.format(Locale.ROOT,
                "RESULT %s scenario=shutdown clients=%d closed_1001=%d last_close_s=%.2f exit_s=%s presence_rows=%s log_lines=%d",
                misses.isEmpty() ? "PASS" : "FAIL", n, with1001, lastClose,
                exited ? String.format(Locale.ROOT, "%.2f", exitedAfter) : ">40", presenceRows, logged.size()));
        return misses.isEmpty() ? 0 : 1;
    }

    /** One value from the service's database, through psql (the harness takes no JDBC driver). */
    private String psql(String query) {
        try {
            Process psql = new ProcessBuilder("psql", "-d", options.string("db"), "-Atc", query).redirectErrorStream(true).start();
            String out = new String(psql.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return psql.waitFor() == 0 ? out : "unknown (" + out + ")";
        } catch (Exception e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    /** JWTs signed before the storm: RS256 signing takes about a millisecond, which would otherwise be measured. */
    private IntFunction<String> tokens(int n, boolean distinctUsers) throws Exception {
        if (!distinctUsers) {
            String token = jwt.agentToken("bench-storm");
            return i -> token;
        }
        long start = System.nanoTime();
        String[] tokens = IntStream.range(0, n).parallel().mapToObj(i -> {
            try {
                return jwt.agentToken(userOf(i));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).toArray(String[]::new);
        say(String.format(Locale.ROOT, "signed %d tokens in %.1f s", n, seconds(System.nanoTime() - start)));
        return i -> tokens[i];
    }

    private static String userOf(int i) {
        return "u" + i;
    }

    /**
     * After the storm: the observer's net view and get_agents must both show every connected user
     * online within --presence-wait; after closing them all, both must show them offline within
     * --offline-wait. Returns the RESULT fields.
     */
    private String checkPresence(Storm storm, PresenceView.Counts beforeStorm, List<String> misses) throws Exception {
        Set<String> connected = new HashSet<>();
        for (BenchClient client : storm.clients) {
            connected.add(userOf(client.index));
        }
        Set<String> everyone = new HashSet<>();
        for (int i = 0; i < options.integer("clients"); i++) {
            everyone.add(userOf(i));
        }
        long from = storm.complete() ? storm.lastJoinedNanos.get() : storm.endNanos; // the storm's end
        Convergence online = converge(from, options.integer("presence-wait"), connected, everyone, true);
        PresenceView.Counts afterStorm = presence.counts();
        System.out.println();
        System.out.println("=== presence after the storm (observer " + OBSERVER + ", connected before it) ===");
        System.out.println("presence frames  " + afterStorm.minus(beforeStorm) + " during the storm and the check");
        System.out.println(online.describe("online"));
        if (!online.met) {
            misses.add("presence did not show the " + connected.size() + " users online within "
                    + options.integer("presence-wait") + " s (" + online.shortly() + ")");
        }

        long closeStart = System.nanoTime();
        closeAll(storm.clients, 60);
        long closed = System.nanoTime();
        say(String.format(Locale.ROOT, "closed %d clients in %.1f s", storm.clients.size(), seconds(closed - closeStart)));
        Convergence offline = converge(closed, options.integer("offline-wait"), Set.of(), everyone, false);
        PresenceView.Counts afterClose = presence.counts();
        System.out.println("presence frames  " + afterClose.minus(afterStorm) + " after closing them");
        System.out.println(offline.describe("offline"));
        if (!offline.met) {
            misses.add("presence did not show them offline within " + options.integer("offline-wait") + " s ("
                    + offline.shortly() + ")");
        }
        if (presence.conflicting.get() > 0) {
            System.out.println("note             " + presence.conflicting.get()
                    + " users were in both online and offline of one presence_changed (applied: online, then offline)");
        }
        PresenceView.Counts all = afterClose.minus(beforeStorm);
        return String.format(Locale.ROOT, " presence_online=%s presence_online_s=%s presence_offline=%s presence_offline_s=%s "
                        + "presence_frames=%d user_online=%d user_offline=%d presence_changed=%d",
                online.met ? "ok" : "missed", online.met ? String.format(Locale.ROOT, "%.2f", online.seconds) : "-",
                offline.met ? "ok" : "missed", offline.met ? String.format(Locale.ROOT, "%.2f", offline.seconds) : "-",
                all.frames(), all.userOnline(), all.userOffline(), all.presenceChanged());
    }

    /** Where presence stood at the last look, and whether (and when) it matched. */
    private static final class Convergence {
        boolean met;
        double seconds;
        int agentsListed = -1;
        int onlineInAgents;
        int wrongInAgents;
        int viewSize;
        int viewWrong;
        String agentsError;

        String describe(String what) {
            String state = met ? String.format(Locale.ROOT, "matched after %.2f s", seconds) : "NOT matched";
            return String.format(Locale.ROOT, "%-16s %s: get_agents %s; observer's view %d online, %d wrong",
                    what, state, agentsListed < 0 ? "no answer" + (agentsError == null ? "" : " (" + agentsError + ")")
                            : agentsListed + " agents listed, " + onlineInAgents + " of the bench users online, " + wrongInAgents
                            + " wrong", viewSize, viewWrong);
        }

        String shortly() {
            return "get_agents " + (agentsListed < 0 ? "no answer" : wrongInAgents + " wrong") + ", observer " + viewWrong + " wrong";
        }
    }

    /**
     * Polls until both the observer's view and get_agents say exactly: the users in expected are
     * online, the other bench users are not; or the wait is over. Seconds are counted from
     * {@code fromNanos}. get_agents is asked at most twice a second (the observer's rate limit).
     */
    private Convergence converge(long fromNanos, int waitSeconds, Set<String> expected, Set<String> everyone,
                                 boolean online) throws Exception {
        long deadline = Math.max(System.nanoTime(), fromNanos + TimeUnit.SECONDS.toNanos(waitSeconds));
        Convergence c = new Convergence();
        while (true) {
            long asked = System.nanoTime();
            // the observer's net view from the presence frames (its own user does not count)
            Set<String> view = presence.online();
            view.remove(OBSERVER);
            c.viewSize = view.size();
            int viewWrong = 0;
            for (String user : view) {
                if (!expected.contains(user)) {
                    viewWrong++;
                }
            }
            for (String user : expected) {
                if (!view.contains(user)) {
                    viewWrong++;
                }
            }
            c.viewWrong = viewWrong;
            // get_agents: every bench user online exactly when expected
            try {
                long left = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(deadline - System.nanoTime()) + 1);
                JsonNode agents = await(observer.request("get_agents", JSON.createObjectNode()), left).path("data");
                int listed = 0;
                int onlineCount = 0;
                int wrong = 0;
                Set<String> seen = new HashSet<>();
                for (JsonNode agent : agents) {
                    String id = agent.path("agentId").asText();
                    listed++;
                    if (!everyone.contains(id)) {
                        continue;
                    }
                    seen.add(id);
                    boolean isOnline = agent.path("online").asBoolean(false);
                    if (isOnline) {
                        onlineCount++;
                    }
                    if (isOnline != expected.contains(id)) {
                        wrong++;
                    }
                }
                for (String user : expected) {
                    if (!seen.contains(user)) {
                        wrong++; // expected online but not even listed
                    }
                }
                c.agentsListed = listed;
                c.onlineInAgents = onlineCount;
                c.wrongInAgents = wrong;
                c.agentsError = null;
            } catch (Exception e) {
                c.agentsError = e.getMessage();
                c.agentsListed = -1;
            }
            if (c.agentsListed >= 0 && c.wrongInAgents == 0 && c.viewWrong == 0) {
                c.met = true;
                c.seconds = seconds(asked - fromNanos);
                return c;
            }
            if (System.nanoTime() >= deadline) {
                return c;
            }
            Thread.sleep(Math.max(0, Math.min(500, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))));
        }
    }

    @Override
    public void frame(BenchClient client, FrameParser.Frame frame, String text, long nanos) {
        if (client == observer && frame.event != null) {
            presence.apply(frame.event, text);
        }
        BenchClient.Run other = delegate;
        if (other != null) {
            other.frame(client, frame, text, nanos);
        }
    }

    /**
     * The observer's net view of who is online, from user_online / user_offline and from
     * presence_changed {online: [...], offline: [...]} (protocol 6.5), with frame counts.
     */
    static final class PresenceView {
        private final Set<String> online = ConcurrentHashMap.newKeySet();
        private final AtomicLong userOnline = new AtomicLong();
        private final AtomicLong userOffline = new AtomicLong();
        private final AtomicLong presenceChanged = new AtomicLong();
        private final AtomicLong listed = new AtomicLong();
        final AtomicLong conflicting = new AtomicLong();

        record Counts(long userOnline, long userOffline, long presenceChanged, long listed) {
            long frames() {
                return userOnline + userOffline + presenceChanged;
            }

            Counts minus(Counts earlier) {
                return new Counts(userOnline - earlier.userOnline, userOffline - earlier.userOffline,
                        presenceChanged - earlier.presenceChanged, listed - earlier.listed);
            }

            @Override
            public String toString() {
                return String.format(Locale.ROOT, "%d (user_online %d, user_offline %d, presence_changed %d listing %d users)",
                        frames(), userOnline, userOffline, presenceChanged, listed);
            }
        }

        synchronized void apply(String event, String text) {
            switch (event) {
                case "user_online", "user_offline", "presence_changed" -> {
                }
                default -> {
                    return;
                }
            }
            JsonNode data;
            try {
                data = JSON.readTree(text).path("data");
            } catch (Exception e) {
                return;
            }
            switch (event) {
                case "user_online" -> {
                    userOnline.incrementAndGet();
                    online.add(data.path("userId").asText());
                }
                case "user_offline" -> {
                    userOffline.incrementAndGet();
                    online.remove(data.path("userId").asText());
                }
                default -> {
                    presenceChanged.incrementAndGet();
                    Set<String> up = new HashSet<>();
                    for (JsonNode user : data.path("online")) {
                        up.add(user.asText());
                    }
                    online.addAll(up);
                    for (JsonNode user : data.path("offline")) {
                        if (up.contains(user.asText())) {
                            conflicting.incrementAndGet();
                        }
                        online.remove(user.asText());
                    }
                    listed.addAndGet(up.size() + data.path("offline").size());
                }
            }
        }

        synchronized Set<String> online() {
            return new HashSet<>(online);
        }

        Counts counts() {
            return new Counts(userOnline.get(), userOffline.get(), presenceChanged.get(), listed.get());
        }
    }

    // ---------------------------------------------------------------- opening clients

    /** Many clients opened at once: per-client upgrade and join times, the wall time of all. */
    static final class Storm {
        final String name;
        final int planned;
        final Histogram upgrade = new ConcurrentHistogram(Phase.MAX_MICROS, 3); // connect call -> 101 (micros)
        final Histogram join = new ConcurrentHistogram(Phase.MAX_MICROS, 3);    // join_general sent -> general_joined
        final AtomicInteger joined = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        final AtomicLong lastJoinedNanos = new AtomicLong();
        /** Clients whose upgrade succeeded (open, whether or not they joined). */
        final Collection<BenchClient> clients = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        long firstAttemptNanos;
        long endNanos;
        int attempted;
        /** Set at --storm-timeout: what completes later is not counted (such clients are still open). */
        volatile boolean over;

        Storm(String name, int planned) {
            this.name = name;
            this.planned = planned;
        }

        void fail(String why) {
            if (over) {
                return;
            }
            if (failed.incrementAndGet() <= 5) {
                failures.add(why);
            }
        }

        int unfinished() {
            return planned - joined.get() - failed.get();
        }

        boolean complete() {
            return joined.get() == planned;
        }

        /** First connect attempt to the last general_joined. */
        double wallSeconds() {
            return seconds(lastJoinedNanos.get() - firstAttemptNanos);
        }
    }

    /**
     * Opens clients [from, to) as fast as the harness can, at most --in-flight attempts (upgrade
     * then join_general) at a time, each on the next event loop; returns when all are done or
     * --storm-timeout passed. The upgrade time runs from the connect call (queued on the event
     * loop, so the harness's own delay is in it) to the 101; the join time from sending
     * join_general to its answer.
     */
    Storm open(String name, int from, int to, IntFunction<String> tokenOf) throws Exception {
        int inFlight = Math.max(1, options.integer("in-flight"));
        Storm storm = new Storm(name, to - from);
        Semaphore slots = new Semaphore(inFlight);
        CountDownLatch done = new CountDownLatch(to - from);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(options.integer("storm-timeout"));
        storm.firstAttemptNanos = System.nanoTime();
        for (int i = from; i < to; i++) {
            if (!slots.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                break;
            }
            storm.attempted++;
            BenchClient client = new BenchClient(i, -1, this);
            long started = System.nanoTime();
            connect(loops.get(i % loops.size()), tokenOf.apply(i), client).onComplete(upgrade -> {
                if (upgrade.failed()) {
                    storm.fail("client " + client.index + " upgrade: " + upgrade.cause().getMessage());
                    slots.release();
                    done.countDown();
                    return;
                }
                long upgraded = System.nanoTime();
                storm.clients.add(client);
                if (!storm.over) {
                    Phase.record(storm.upgrade, upgraded - started);
                }
                client.request("join_general", JSON.createObjectNode()).onComplete(join -> {
                    long now = System.nanoTime();
                    if (storm.over) {
                        return; // after the timeout: neither counted nor holding a slot any more
                    }
                    if (join.succeeded()) {
                        Phase.record(storm.join, now - upgraded);
                        storm.joined.incrementAndGet();
                        Phase.max(storm.lastJoinedNanos, now);
                    } else {
                        storm.fail("client " + client.index + " join_general: " + join.cause().getMessage());
                    }
                    slots.release();
                    done.countDown();
                });
            });
        }
        done.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        storm.over = true;
        storm.endNanos = System.nanoTime();
        say(String.format(Locale.ROOT, "%s: %d of %d joined, %d failed, in %.2f s", name, storm.joined.get(), storm.planned,
                storm.failed.get(), seconds(storm.endNanos - storm.firstAttemptNanos)));
        return storm;
    }

    /** Upgrades one client on the given event loop (with the JWT as a Bearer header) and attaches it. */
    Future<BenchClient> connect(Context loop, String token, BenchClient client) {
        // No setTimeout: in Vert.x 4.5 it also closes an established WebSocket (code 1000) about that long after
        // the connect unless a ping came first, which idle connections showed as "closed by the server". The
        // TCP connect has the client's connect timeout; a hanging handshake counts as unfinished at --storm-timeout.
        WebSocketConnectOptions connect = new WebSocketConnectOptions().setHost(host).setPort(port).setURI(WS_PATH)
                .setAllowOriginHeader(false) // the service only accepts Origins from its allow-list
                .addHeader("Authorization", "Bearer " + token);
        Promise<BenchClient> opened = Promise.promise();
        loop.runOnContext(v -> wsClient.connect(connect).map(ws -> {
            client.attach(ws);
            this.opened.add(client);
            return client;
        }).onComplete(opened));
        return opened.future();
    }

    void closeAll(Collection<BenchClient> clients, int seconds) {
        List<Future<Void>> closes = new ArrayList<>();
        for (BenchClient client : clients) {
            closes.add(client.close());
        }
        try {
            await(Future.join(closes), seconds);
        } catch (Exception e) {
            say("not every client closed within " + seconds + " s: " + e.getMessage());
        }
        opened.removeAll(clients);
    }

    // ---------------------------------------------------------------- Vert.x

    private void startVertx() throws Exception {
        int eventLoops = options.integer("event-loops");
        vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops).setPreferNativeTransport(false));
        // one context per event loop, so that the clients are spread over all of them
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
        wsClient = vertx.createWebSocketClient(new WebSocketClientOptions()
                .setMaxConnections(options.integer("clients") + 100) // the default, 50 per endpoint, would queue the storm
                .setMaxFrameSize(16 << 20)                           // get_agents of 10,000 agents is about 1 MB
                .setMaxMessageSize(64 << 20)
                .setConnectTimeout(30_000));
    }

    HttpClient httpClient() {
        return vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setKeepAliveTimeout(300)
                        .setDefaultHost(host).setDefaultPort(port).setConnectTimeout(10_000),
                new PoolOptions().setHttp1MaxSize(options.integer("http-connections")));
    }

    private void stopVertx() {
        BenchClient.closing = true;
        if (vertx == null) {
            return;
        }
        closeAll(new ArrayList<>(opened), 30);
        try {
            await(vertx.close(), 10);
        } catch (Exception e) {
            // exiting anyway
        }
    }

    // ---------------------------------------------------------------- BenchClient.Run: no webhook phases by default

    @Override
    public Phase phaseOf(long k) {
        BenchClient.Run other = delegate;
        return other == null ? null : other.phaseOf(k);
    }

    @Override
    public Phase windowAt(long nanos) {
        BenchClient.Run other = delegate;
        return other == null ? null : other.windowAt(nanos);
    }

    @Override
    public int customerOf(long k) {
        BenchClient.Run other = delegate;
        return other == null ? 0 : other.customerOf(k);
    }

    @Override
    public Phase current() {
        BenchClient.Run other = delegate;
        return other == null ? null : other.current();
    }

    // ---------------------------------------------------------------- report helpers

    void printStorm(Storm s) {
        System.out.println(String.format(Locale.ROOT, "%-16s %d planned, %d attempted, %d joined, %d failed, %d unfinished",
                s.name, s.planned, s.attempted, s.joined.get(), s.failed.get(), s.unfinished()));
        if (s.complete()) {
            System.out.println(String.format(Locale.ROOT, "wall time        %.2f s from the first connect attempt to the last general_joined",
                    s.wallSeconds()));
        } else {
            System.out.println(String.format(Locale.ROOT, "wall time        not all joined: %d of %d by %.2f s after the first connect attempt "
                    + "(--storm-timeout %d s); the last general_joined counted came at %.2f s", s.joined.get(), s.planned,
                    seconds(s.endNanos - s.firstAttemptNanos), options.integer("storm-timeout"),
                    s.joined.get() > 0 ? s.wallSeconds() : 0.0));
        }
        System.out.println("upgrade          " + percentiles(s.upgrade) + "  (connect call -> 101 Switching Protocols)");
        System.out.println("join             " + percentiles(s.join) + "  (join_general sent -> general_joined)");
        for (String failure : s.failures) {
            System.out.println("failure          " + failure);
        }
    }

    void printCpu(CpuSampler.Sample start, CpuSampler.Sample end) {
        double wall = seconds(end.nanos() - start.nanos());
        List<String> parts = new ArrayList<>();
        if (start.serviceTicks() >= 0 && end.serviceTicks() >= 0) {
            parts.add(String.format(Locale.ROOT, "service %.2f s", cpu.seconds(end.serviceTicks() - start.serviceTicks())));
        } else {
            parts.add("service not measured (pass --pid)");
        }
        if (start.postgresTicks() >= 0 && end.postgresTicks() >= 0) {
            parts.add(String.format(Locale.ROOT, "postgres %.2f s", cpu.seconds(end.postgresTicks() - start.postgresTicks())));
        }
        parts.add(String.format(Locale.ROOT, "harness %.2f s", cpu.seconds(end.harnessTicks() - start.harnessTicks())));
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "CPU              over %.1f s: %s", wall,
                String.join(", ", parts)));
        long total = end.machineTotal() - start.machineTotal();
        if (start.machineBusy() >= 0 && total > 0) {
            line.append(String.format(Locale.ROOT, "; machine %.0f%% busy of %d cores",
                    100.0 * (end.machineBusy() - start.machineBusy()) / total, Runtime.getRuntime().availableProcessors()));
        }
        System.out.println(line);
    }

    static String targets(String what, List<String> misses) {
        return "targets          " + what + ": " + (misses.isEmpty() ? "MET" : "MISSED (" + String.join("; ", misses) + ")");
    }

    private static String figures(List<ServiceProbe.Memory> readings, java.util.function.ToLongFunction<ServiceProbe.Memory> f) {
        StringBuilder text = new StringBuilder("[");
        for (ServiceProbe.Memory m : readings) {
            text.append(text.length() > 1 ? " " : "").append(f.applyAsLong(m));
        }
        return text.append(']').toString();
    }

    private static String mbFigures(List<ServiceProbe.Memory> readings) {
        StringBuilder text = new StringBuilder("[");
        for (ServiceProbe.Memory m : readings) {
            text.append(text.length() > 1 ? " " : "").append(String.format(Locale.ROOT, "%.1f", m.heapUsedBytes() / 1048576.0));
        }
        return text.append(']').toString();
    }

    static String percentiles(Histogram h) {
        if (h.getTotalCount() == 0) {
            return "no samples";
        }
        return String.format(Locale.ROOT, "p50 %.2f  p90 %.2f  p99 %.2f  max %.2f ms (n=%d)",
                ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(90)), ms(h.getValueAtPercentile(99)),
                ms(h.getMaxValue()), h.getTotalCount());
    }

    static <T> T await(Future<T> future, long seconds) throws Exception {
        try {
            return future.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("no answer within " + seconds + " s", e);
        }
    }

    void say(String line) {
        System.out.println(String.format(Locale.ROOT, "[%7.1f s] %s", seconds(System.nanoTime() - t0), line));
    }

    static double seconds(long nanos) {
        return nanos / 1e9;
    }

    /** Histograms hold microseconds. */
    static double ms(long micros) {
        return micros / 1000.0;
    }

    static String fmt(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }

    /** k of a bench message's text "bench|k|scheduledNanos", or -1 for any other text. */
    static long benchIndex(String content) {
        if (content == null || !content.startsWith("bench|")) {
            return -1;
        }
        int second = content.indexOf('|', 6);
        try {
            return Long.parseLong(content, 6, second < 0 ? content.length() : second, 10);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
