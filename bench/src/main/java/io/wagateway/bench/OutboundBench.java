package io.wagateway.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import org.HdrHistogram.ConcurrentHistogram;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * send_message at a fixed rate (open model) over WebSocket connections; the service, in cloud
 * mode, calls the Graph API imitation this harness serves. Measures, from each send's scheduled
 * time, the answer {@code message_sent} (stored) and {@code message_sent_success} (Meta accepted).
 * Each customer first writes once (a signed webhook), so that every send is inside the 24-hour
 * window. Targets (issue): at least 1,000 sends/s sustained, p99 to message_sent <= 20 ms.
 */
public final class OutboundBench {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] argv) throws Exception {
        Map<String, String> a = args(argv);
        URI url = URI.create(a.getOrDefault("url", "http://127.0.0.1:18080"));
        long pid = Long.parseLong(a.getOrDefault("pid", "0"));
        long pgPid = Long.parseLong(a.getOrDefault("pg-pid", "0"));
        int connections = Integer.parseInt(a.getOrDefault("clients", "100"));
        int customers = Integer.parseInt(a.getOrDefault("customers", "500"));
        int rate = Integer.parseInt(a.getOrDefault("rate", "1000"));
        int warmup = Integer.parseInt(a.getOrDefault("warmup", "20"));
        int duration = Integer.parseInt(a.getOrDefault("duration", "60"));
        int graphPort = Integer.parseInt(a.getOrDefault("graph-port", "18090"));
        Webhooks webhooks = new Webhooks(a.getOrDefault("waba-id", "waba-bench"), a.getOrDefault("display", "15550009999"),
                a.getOrDefault("phone-number-id", "pn-bench"), a.getOrDefault("wa-prefix", "1777000"),
                a.getOrDefault("secret", "bench-secret"));
        Jwt jwt = new Jwt(Path.of(a.getOrDefault("key", "src/main/resources/dev-keys/jwt-private.pem")),
                a.getOrDefault("issuer", "https://wa-gateway.dev/issuer"), a.getOrDefault("tenant", "bench"));

        Vertx vertx = Vertx.vertx();
        // the Graph API imitation: every send accepted at once
        AtomicLong graphCalls = new AtomicLong();
        vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
            long n = graphCalls.incrementAndGet();
            req.response().putHeader("Content-Type", "application/json").end(req.path().endsWith("/messages")
                    ? "{\"messaging_product\":\"whatsapp\",\"messages\":[{\"id\":\"wamid.out." + n + "\"}]}"
                    : "{\"id\":\"x\",\"status\":\"CONNECTED\",\"quality_rating\":\"GREEN\"}");
        })).listen(graphPort, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

        // every customer writes once: the 24-hour window opens
        HttpClient http = vertx.createHttpClient(new HttpClientOptions().setMaxPoolSize(16).setKeepAlive(true));
        List<java.util.concurrent.CompletableFuture<Integer>> seeds = new ArrayList<>();
        for (int c = 0; c < customers; c++) {
            byte[] body = webhooks.seed(c);
            seeds.add(http.request(new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url + "/webhooks/whatsapp")
                            .putHeader("X-Hub-Signature-256", webhooks.signature(body))
                            .putHeader("Content-Type", "application/json"))
                    .compose(r -> r.send(io.vertx.core.buffer.Buffer.buffer(body)).map(resp -> resp.statusCode()))
                    .toCompletionStage().toCompletableFuture());
            if (seeds.size() % 50 == 0) {
                seeds.get(seeds.size() - 1).get(30, TimeUnit.SECONDS);
            }
        }
        for (var seed : seeds) {
            if (seed.get(30, TimeUnit.SECONDS) != 200) {
                throw new IllegalStateException("seeding failed");
            }
        }

        long total = (long) rate * (warmup + duration);
        long firstMeasured = (long) rate * warmup;
        long[] scheduled = new long[(int) total];
        ConcurrentHistogram sent = new ConcurrentHistogram(3);
        ConcurrentHistogram success = new ConcurrentHistogram(3);
        AtomicInteger errors = new AtomicInteger();
        AtomicInteger successes = new AtomicInteger();
        var wsClient = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(connections + 10));
        List<WebSocket> sockets = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            WebSocket ws = wsClient.connect(new WebSocketConnectOptions().setHost(url.getHost()).setPort(url.getPort())
                            .setURI("/ws").setAllowOriginHeader(false)
                            .addHeader("Authorization", "Bearer " + jwt.agentToken("sender-" + i)))
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            ws.textMessageHandler(text -> {
                try {
                    JsonNode frame = JSON.readTree(text);
                    String event = frame.path("event").asText();
                    String requestId = frame.path("requestId").asText("");
                    if (requestId.isEmpty()) {
                        return;
                    }
                    long k = Long.parseLong(requestId);
                    long latency = System.nanoTime() - scheduled[(int) k];
                    boolean measured = k >= firstMeasured;
                    switch (event) {
                        case "message_sent" -> {
                            if (!frame.path("data").path("success").asBoolean()) {
                                errors.incrementAndGet();
                            } else if (measured) {
                                sent.recordValue(latency);
                            }
                        }
                        case "message_sent_success" -> {
                            successes.incrementAndGet();
                            if (measured) {
                                success.recordValue(latency);
                            }
                        }
                        default -> errors.incrementAndGet();
                    }
                } catch (Exception e) {
                    errors.incrementAndGet();
                }
            });
            sockets.add(ws);
        }
        System.out.printf("seeded %d customers, %d connections; %d sends/s for %d s + %d s%n", customers, connections,
                rate, warmup, duration);

        CpuSampler cpu = new CpuSampler(pid, pgPid);
        CpuSampler.Sample before = null;
        long start = System.nanoTime() + 200_000_000L;
        String run = Long.toString(System.currentTimeMillis(), 36);
        for (long k = 0; k < total; k++) {
            long due = start + k * 1_000_000_000L / rate;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            if (k == firstMeasured) {
                before = cpu.sample();
            }
            scheduled[(int) k] = due;
            String frame = "{\"event\":\"send_message\",\"requestId\":\"" + k + "\",\"data\":{\"to\":\""
                    + webhooks.waId((int) (k % customers)) + "\",\"message\":\"out " + k + "\",\"clientMessageId\":\""
                    + run + "-" + k + "\"}}";
            sockets.get((int) (k % connections)).writeTextMessage(frame);
        }
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (successes.get() < total && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        CpuSampler.Sample after = cpu.sample();
        long measured = total - firstMeasured;
        double seconds = (after.nanos() - before.nanos()) / 1e9;
        System.out.printf("sends            %d measured (%d in all), %d message_sent_success in all, %d errors, %d Graph API calls%n",
                measured, total, successes.get(), errors.get(), graphCalls.get());
        System.out.printf("rate             configured %d/s; message_sent answered %.1f/s in the window%n", rate,
                sent.getTotalCount() / (double) duration);
        print("to message_sent", sent);
        print("to message_sent_success", success);
        double service = cpu.seconds(after.serviceTicks() - before.serviceTicks());
        double postgres = cpu.seconds(after.postgresTicks() - before.postgresTicks());
        System.out.printf("CPU over %.1f s: service %.2f s = %.3f s per 1,000 sends; postgres %.2f s = %.3f s per 1,000%n",
                seconds, service, service * 1000 / measured, postgres, postgres * 1000 / measured);
        boolean met = sent.getTotalCount() == measured && errors.get() == 0
                && sent.getValueAtPercentile(99) <= 20_000_000L;
        System.out.printf("RESULT %s rate=%d/s p50_sent=%.2fms p99_sent=%.2fms p99_success=%.2fms errors=%d%n",
                met ? "PASS" : "FAIL", rate, ms(sent.getValueAtPercentile(50)), ms(sent.getValueAtPercentile(99)),
                ms(success.getValueAtPercentile(99)), errors.get());
        vertx.close();
        System.exit(met ? 0 : 1);
    }

    private static void print(String what, ConcurrentHistogram h) {
        System.out.printf("%-24s p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f ms (n=%d)%n", what,
                ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(90)), ms(h.getValueAtPercentile(99)),
                ms(h.getValueAtPercentile(99.9)), ms(h.getMaxValue()), h.getTotalCount());
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    /** {@code --name value} pairs; flags of the inbound harness that do not apply here are ignored. */
    private static Map<String, String> args(String[] argv) {
        Map<String, String> out = new HashMap<>();
        for (int i = 0; i < argv.length; i++) {
            if (argv[i].startsWith("--")) {
                String name = argv[i].substring(2);
                if (name.contains("=")) {
                    out.put(name.substring(0, name.indexOf('=')), name.substring(name.indexOf('=') + 1));
                } else if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) {
                    out.put(name, argv[++i]);
                } else {
                    out.put(name, "true");
                }
            }
        }
        return out;
    }
}
