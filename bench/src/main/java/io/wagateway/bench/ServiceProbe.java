package io.wagateway.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * What the harness reads about the service from outside, without asking it for anything special
 * (no GC, no heap dump): its resident set from /proc/&lt;pid&gt;/status, JVM memory and the
 * gateway's connection gauge from /q/metrics, and the kernel's view of one TCP connection from
 * /proc/net/tcp. Uses the JDK's HTTP client on the calling thread, so that a busy harness event
 * loop cannot delay a reading.
 */
final class ServiceProbe {

    /** One reading; -1 where a figure is not available. */
    record Memory(long nanos, long rssKb, long heapUsedBytes, long directBytes, long nettyDirectBytes, long connections) {}

    /** One socket as the kernel lists it: its state (ESTABLISHED, FIN_WAIT1, ...) and the bytes in its send queue. */
    record Tcp(String state, long txQueue, long rxQueue) {}

    private static final String[] TCP_STATES = {"?", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",
            "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV"};

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI metrics;
    private final long pid;

    ServiceProbe(URI base, long pid) {
        this.metrics = base.resolve("/q/metrics");
        this.pid = pid;
    }

    boolean hasPid() {
        return pid > 0;
    }

    /** The service's command line, to print which JVM flags it runs with. */
    String commandLine() {
        if (pid <= 0) {
            return "(unknown: pass --pid)";
        }
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8)
                    .replace('\0', ' ').trim();
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    /** Whether /q/health/ready answers 200: a run against a service that is not there is a failed run, not a miss. */
    boolean ready() {
        try {
            return http.send(HttpRequest.newBuilder(metrics.resolve("/q/health/ready")).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** VmRSS in KB, -1 when unknown. */
    long rssKb() {
        if (pid <= 0) {
            return -1;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.substring(6).replace("kB", "").trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return -1;
    }

    /** RSS and /q/metrics now. */
    Memory sample() {
        long rss = rssKb();
        long heap = -1;
        long direct = -1;
        long netty = -1;
        long connections = -1;
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 200) {
                String text = response.body();
                heap = sum(text, "jvm_memory_used_bytes{", "area=\"heap\"");
                direct = sum(text, "jvm_buffer_memory_used_bytes{", "id=\"direct\"");
                // Netty's pooled direct memory is allocated without a Cleaner: not in jvm_buffer_*
                netty = sum(text, "netty_allocator_memory_used_bytes{", "memory_type=\"direct\"");
                connections = sum(text, "wagateway_connections", "");
            }
        } catch (IOException e) {
            // not answering: -1
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new Memory(System.nanoTime(), rss, heap, direct, netty, connections);
    }

    /** Sum of the Prometheus samples whose line starts with prefix and contains label; -1 when none. */
    private static long sum(String text, String prefix, String label) {
        double total = 0;
        boolean found = false;
        for (String line : text.split("\n")) {
            if (!line.startsWith(prefix) || !line.contains(label)) {
                continue;
            }
            if (prefix.indexOf('{') < 0 && line.length() > prefix.length()
                    && line.charAt(prefix.length()) != '{' && line.charAt(prefix.length()) != ' ') {
                continue; // another metric whose name starts the same
            }
            try {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                found = true;
            } catch (NumberFormatException e) {
                // not a sample line
            }
        }
        return found ? (long) total : -1;
    }

    /** A few readings a second apart (the median of each figure counts): a GC between two does not decide the result. */
    List<Memory> samples(int count) throws InterruptedException {
        List<Memory> readings = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                Thread.sleep(1000);
            }
            readings.add(sample());
        }
        return readings;
    }

    static long median(List<Memory> readings, ToLongFunction<Memory> figure) {
        List<Long> values = new ArrayList<>();
        for (Memory m : readings) {
            long v = figure.applyAsLong(m);
            if (v >= 0) {
                values.add(v);
            }
        }
        if (values.isEmpty()) {
            return -1;
        }
        Collections.sort(values);
        return values.get(values.size() / 2);
    }

    /**
     * The socket with that local and remote port, from /proc/net/tcp and /proc/net/tcp6 (a Java
     * server usually listens on an IPv6 socket and lists 127.0.0.1 as ::ffff:127.0.0.1); null when
     * the kernel no longer has it. Both ends of a loopback connection are in these files, so the
     * server's end of the harness's connection can be looked at too.
     */
    static Tcp tcp(int localPort, int remotePort) {
        for (String file : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
            try {
                List<String> lines = Files.readAllLines(Path.of(file));
                for (int i = 1; i < lines.size(); i++) {
                    String[] f = lines.get(i).trim().split("\\s+");
                    if (f.length < 5 || port(f[1]) != localPort || port(f[2]) != remotePort) {
                        continue;
                    }
                    int state = Integer.parseInt(f[3], 16);
                    String[] queues = f[4].split(":");
                    return new Tcp(state < TCP_STATES.length ? TCP_STATES[state] : f[3],
                            Long.parseLong(queues[0], 16), Long.parseLong(queues[1], 16));
                }
            } catch (IOException | RuntimeException e) {
                // no IPv6, or a line changed while read: the other file or the next poll
            }
        }
        return null;
    }

    private static int port(String address) {
        return Integer.parseInt(address.substring(address.indexOf(':') + 1), 16);
    }
}
