package io.wagateway.bench;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.LongToIntFunction;

/**
 * The inbound load of the harnesses that push webhooks (InboundBench, ConnectionBench's
 * slow-consumer scenario): seeding one message per customer, then signed webhooks at a fixed
 * rate, open model (message k is due at start + k / rate and is sent then whatever happened to
 * the earlier ones), accounted in {@link Phase}s; and the drain after a phase.
 */
final class WebhookLoad {

    static final String WEBHOOK_PATH = "/webhooks/whatsapp";

    private final HttpClient http;
    private final String host;
    private final int port;
    private final Webhooks webhooks;
    private final CpuSampler cpu;
    private final LongToIntFunction customerOf;
    private final Consumer<String> say;

    /**
     * @param customerOf the customer message k is from
     * @param say        progress lines of the report
     */
    WebhookLoad(HttpClient http, String host, int port, Webhooks webhooks, CpuSampler cpu,
                LongToIntFunction customerOf, Consumer<String> say) {
        this.http = http;
        this.host = host;
        this.port = port;
        this.webhooks = webhooks;
        this.cpu = cpu;
        this.customerOf = customerOf;
        this.say = say;
    }

    /** One webhook; completes with the HTTP status (failed when there was no answer at all). */
    Future<Integer> post(byte[] body) {
        String signature = webhooks.signature(body);
        RequestOptions request = new RequestOptions().setMethod(HttpMethod.POST).setHost(host).setPort(port)
                .setURI(WEBHOOK_PATH).setIdleTimeout(60_000)
                .putHeader("Content-Type", "application/json")
                .putHeader("X-Hub-Signature-256", signature);
        return http.request(request)
                .compose(req -> req.send(Buffer.buffer(body)))
                .compose(response -> response.body().map(ignored -> response.statusCode()));
    }

    /** One message per customer, a few at a time, so that every conversation exists. */
    void seed(int customers, int concurrency) throws Exception {
        long start = System.nanoTime();
        Semaphore slots = new Semaphore(concurrency);
        CountDownLatch done = new CountDownLatch(customers);
        AtomicReference<String> failure = new AtomicReference<>();
        for (int c = 0; c < customers; c++) {
            slots.acquire();
            int customer = c;
            post(webhooks.seed(c)).onComplete(ar -> {
                if (ar.failed() || ar.result() != 200) {
                    failure.compareAndSet(null, "seed webhook of customer " + customer + ": "
                            + (ar.failed() ? ar.cause() : "HTTP " + ar.result()));
                }
                slots.release();
                done.countDown();
            });
        }
        if (!done.await(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException("seeding did not finish in 120 s");
        }
        if (failure.get() != null) {
            throw new IllegalStateException(failure.get());
        }
        say.accept(String.format(Locale.ROOT, "seeded %d customers in %.1f s", customers, (System.nanoTime() - start) / 1e9));
    }

    /**
     * Sends the phases back to back from a dedicated thread; returns when the last message is
     * sent. {@code started} runs on that thread as each phase begins (its start and end are set).
     */
    void send(List<Phase> run, long startNanos, Consumer<Phase> started) throws InterruptedException {
        Thread sender = new Thread(() -> {
            long start = startNanos;
            for (Phase phase : run) {
                phase.startNanos = start;
                phase.endNanos = start + phase.durationNanos();
                started.accept(phase);
                say.accept(String.format(Locale.ROOT, "%s: %s msg/s for %d s (%d webhooks)", phase.name, fmt(phase.rate),
                        phase.seconds, phase.count));
                for (int j = 0; j < phase.count; j++) {
                    long due = start + phase.offsetNanos(j);
                    parkUntil(due);
                    if (j == 0) {
                        phase.cpuStart = cpu.sample();
                    }
                    fire(phase, phase.firstK + j, due);
                }
                start = phase.endNanos;
            }
        }, "webhook-sender");
        sender.setPriority(Thread.MAX_PRIORITY);
        sender.start();
        sender.join();
    }

    static void parkUntil(long due) {
        long wait;
        while ((wait = due - System.nanoTime()) > 0) {
            LockSupport.parkNanos(wait);
        }
    }

    /** Fires message k and returns at once: the response is accounted for when it comes. */
    private void fire(Phase phase, long k, long due) {
        byte[] body = webhooks.message(k, customerOf.applyAsInt(k), due);
        long sent = System.nanoTime();
        Phase.record(phase.sendLag, sent - due);
        Phase.max(phase.lastSendNanos, sent);
        phase.sent.increment();
        post(body).onComplete(ar -> {
            long now = System.nanoTime();
            if (ar.succeeded()) {
                int status = ar.result();
                phase.statuses.computeIfAbsent(status, s -> new LongAdder()).increment();
                if (status == 200) {
                    phase.ok.increment();
                    Phase.max(phase.lastOkNanos, now);
                } else {
                    phase.non200.increment();
                }
            } else {
                phase.failed.increment();
                if (phase.failed.sum() <= 5 && !BenchClient.closing) {
                    System.err.println("webhook " + k + " failed: " + ar.cause());
                }
            }
            if (phase.measured) {
                Phase.record(phase.response, now - due);
            }
            phase.responses.increment(); // last: drain() reads it as "this phase's responses are all in"
        });
    }

    /**
     * Waits up to drainSeconds after the window for late responses and deliveries, then takes
     * the CPU reading and counts, client by client, the entitled messages never received.
     */
    void drain(Phase phase, List<BenchClient> clients, int customers, int drainSeconds) throws InterruptedException {
        long deadline = Math.max(System.nanoTime(), phase.endNanos) + TimeUnit.SECONDS.toNanos(drainSeconds);
        while (System.nanoTime() < deadline
                && (phase.responses.sum() < phase.count || phase.delivered.sum() < phase.expectedDeliveries)) {
            Thread.sleep(10);
        }
        phase.cpuEnd = cpu.sample();
        phase.drainedNanos = System.nanoTime();
        long lost = 0;
        for (BenchClient client : clients) {
            lost += client.missing(phase, customers);
        }
        phase.lost = lost;
    }

    private static String fmt(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }
}
