package io.wagateway.bench;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Command-line flags: {@code --name value} or {@code --name=value}; {@code --find-max} and
 * {@code --help} take no value. Every flag has a default that reproduces the scenario,
 * except the paths and the pid, which depend on the machine.
 */
final class Options {

    /** Flag name -> default value and help text, in the order {@code --help} prints them. */
    private static final Map<String, String[]> FLAGS = new LinkedHashMap<>();

    static {
        flag("url", "http://127.0.0.1:18080", "service base URL (HTTP; the WebSocket is ws://<same host:port>/ws)");
        flag("pid", "0", "service process id, for its CPU time from /proc/<pid>/stat (0: not measured)");
        flag("pg-pid", "0", "PostgreSQL postmaster pid: its and its children's CPU is reported (0: every process named postgres)");
        flag("clients", "1000", "WebSocket clients to connect");
        flag("general", "10", "clients 0..general-1 join the general room");
        flag("customers", "500", "customers (one conversation each); client i >= general joins customer i % customers");
        flag("rate", "500", "webhooks (inbound messages) per second, open model");
        flag("warmup", "30", "seconds at the rate before the measured window (not measured)");
        flag("duration", "60", "seconds of the measured window");
        flag("drain", "10", "seconds to wait after the window for late responses and deliveries");
        flag("key", "/work/main/src/main/resources/dev-keys/jwt-private.pem", "PKCS#8 PEM RSA key that signs the JWTs");
        flag("issuer", "https://wa-gateway.dev/issuer", "JWT iss claim");
        flag("secret", "bench-secret", "webhook app secret (HMAC-SHA256 key of X-Hub-Signature-256)");
        flag("tenant", "bench", "JWT tenant claim (the tenant that owns the phone number)");
        flag("phone-number-id", "pn-bench", "metadata.phone_number_id of the webhooks");
        flag("display", "15550009999", "metadata.display_phone_number of the webhooks");
        flag("waba-id", "waba-bench", "entry[].id of the webhooks");
        flag("wa-prefix", "1777000", "customer waId = prefix + customer index zero-padded to 5 digits");
        flag("http-connections", "200", "keep-alive connections of the webhook HTTP client pool");
        flag("connect-batch", "50", "WebSocket clients connected (and joined) concurrently");
        flag("seed-concurrency", "8", "concurrent webhooks while seeding one message per customer");
        flag("event-loops", "2", "Vert.x event loop threads of the harness");
        flag("p50-ms", "10", "target: webhook->client p50 at most this many ms");
        flag("p99-ms", "50", "target: webhook->client p99 at most this many ms");
        flag("find-max", null, "step the rate (--steps, --step-duration each, after --warmup at the first step's rate) "
                + "and report the highest rate that meets the targets; stops at the first step that does not");
        flag("steps", "500,750,1000,1500,2000", "rates of --find-max");
        flag("step-duration", "20", "seconds per --find-max step");
        // ConnectionBench (bench/run-connections.sh); it also reads --clients (per-scenario default), --rate,
        // --warmup, --duration, --drain, --customers and --p99-ms for the slow-consumer scenario
        flag("scenario", "idle", "ConnectionBench: idle | storm-one-user | storm-users | slow-consumer");
        flag("in-flight", "1000", "ConnectionBench: connection attempts (upgrade + join_general) in flight at once");
        flag("baseline", "10", "idle: connections of the baseline RSS reading");
        flag("settle", "10", "idle: seconds to wait after connecting before the RSS readings");
        flag("samples", "5", "idle: RSS and heap readings, one a second; the median counts");
        flag("kb-per-connection", "15", "idle target: service RSS per idle connection, KB");
        flag("storm-target", "0", "storm target: seconds from the first connect to the last general_joined "
                + "(0: 5 for storm-one-user, 10 for storm-users)");
        flag("storm-timeout", "180", "seconds to wait for the last general_joined when opening many clients (storms, idle, slow-consumer setup); the rest count as unfinished");
        flag("presence-wait", "5", "storm-users: seconds after the storm for presence to show every user online");
        flag("offline-wait", "15", "storm-users: seconds after closing the clients for presence to show them offline");
        flag("slow", "1", "slow-consumer: slow clients, 1 or 0 (0: the same run without it, the baseline)");
        flag("slow-rcvbuf", "4096", "slow-consumer: SO_RCVBUF of the slow client's socket, set before connect");
        flag("close-code", "4008", "slow-consumer: the close code expected for the slow client");
        flag("close-target", "10", "slow-consumer target: seconds from when the slow client stops reading to the server's close");
        flag("close-wait", "15", "slow-consumer: seconds after the load to keep watching for the server's close");
        flag("shutdown-target", "2", "shutdown target: seconds from SIGTERM to the last connection closed with 1001 (quarkus.shutdown.delay)");
        flag("service-log", "", "shutdown: the service's log, scanned for errors and warnings written after the SIGTERM");
        flag("db", "wa_bench", "shutdown: the service's database (psql -d), checked for presence rows left behind");
        flag("help", null, "print this help");
    }

    private static void flag(String name, String defaultValue, String help) {
        FLAGS.put(name, new String[] {defaultValue, help});
    }

    private final Map<String, String> values = new LinkedHashMap<>();
    /** Flags given on the command line (the rest have their defaults). */
    private final Set<String> given = new HashSet<>();

    static Options parse(String[] args) {
        Options options = new Options();
        FLAGS.forEach((name, spec) -> {
            if (spec[0] != null) {
                options.values.put(name, spec[0]);
            }
        });
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument: " + arg);
            }
            String name = arg.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            String[] spec = FLAGS.get(name);
            if (spec == null) {
                throw new IllegalArgumentException("unknown flag --" + name + " (see --help)");
            }
            options.given.add(name);
            if (spec[0] == null) { // a switch
                options.values.put(name, value == null ? "true" : value);
                continue;
            }
            if (value == null) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("--" + name + " needs a value");
                }
                value = args[++i];
            }
            options.values.put(name, value);
        }
        return options;
    }

    static String usage() {
        StringBuilder text = new StringBuilder("java -jar wa-gateway-bench.jar [flags]\n");
        FLAGS.forEach((name, spec) -> text.append(String.format("  --%-18s %s%s%n", name, spec[1],
                spec[0] == null ? "" : " (default " + spec[0] + ")")));
        return text.toString();
    }

    /** Whether the flag was on the command line (not just its default). */
    boolean given(String name) {
        return given.contains(name);
    }

    /** A harness's own default for a shared flag (e.g. --clients of a scenario), unless it was given. */
    void defaultTo(String name, String value) {
        if (!FLAGS.containsKey(name)) {
            throw new IllegalArgumentException("no flag --" + name);
        }
        if (!given.contains(name)) {
            values.put(name, value);
        }
    }

    String string(String name) {
        return values.get(name);
    }

    int integer(String name) {
        return Integer.parseInt(values.get(name).trim());
    }

    long longValue(String name) {
        return Long.parseLong(values.get(name).trim());
    }

    double decimal(String name) {
        return Double.parseDouble(values.get(name).trim());
    }

    boolean isSet(String name) {
        return Boolean.parseBoolean(values.getOrDefault(name, "false"));
    }

    List<Double> decimals(String name) {
        List<Double> list = new ArrayList<>();
        for (String part : values.get(name).split(",")) {
            if (!part.isBlank()) {
                list.add(Double.parseDouble(part.trim()));
            }
        }
        return list;
    }

    URI url() {
        return URI.create(string("url"));
    }

    /** The effective settings, printed at the top of the report so a result file says how it was made. */
    String describe() {
        StringBuilder text = new StringBuilder();
        values.forEach((k, v) -> text.append(' ').append("--").append(k).append('=').append(v));
        return text.toString().trim();
    }
}
