package io.wagateway.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * The host application of event forwarding, as a real HTTP server on a random port of the
 * loopback interface: records every POST it gets (raw body, signature header, the status it
 * answered) and answers {@link #answer} (200 unless a test makes it fail).
 */
public final class EventReceiver implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One POST as the receiver got it. */
    public record Delivery(byte[] raw, String signature, int answered) {
        public JsonNode json() {
            try {
                return JSON.readTree(raw);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        public long seq() {
            return json().path("seq").asLong();
        }

        /** Whether the signature header is {@code sha256=<hex HMAC-SHA256 of the raw body with secret>}. */
        public boolean signedWith(String secret) {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
                String expected = "sha256=" + HexFormat.of().formatHex(mac.doFinal(raw));
                return java.security.MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
                        String.valueOf(signature).getBytes(StandardCharsets.UTF_8));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private final HttpServer server;
    private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    /** The status the next POSTs are answered with. */
    public volatile int answer = 200;
    /** The first POST of this seq gets no answer until {@link #release}: a sender that crashes meanwhile. */
    public volatile long hangOnSeq = -1;
    private final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    private final java.util.concurrent.CountDownLatch hanging = new java.util.concurrent.CountDownLatch(1);

    public EventReceiver() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/", exchange -> {
            byte[] raw;
            try (InputStream in = exchange.getRequestBody()) {
                raw = in.readAllBytes();
            }
            int status = "POST".equals(exchange.getRequestMethod()) ? answer : 405;
            if (hangOnSeq >= 0 && hanging.getCount() > 0 && new Delivery(raw, null, 0).seq() == hangOnSeq) {
                // recorded as never answered (0): whatever happens to the connection later
                deliveries.add(new Delivery(raw, exchange.getRequestHeaders().getFirst("X-Gateway-Signature-256"), 0));
                hanging.countDown();
                try {
                    release.await(60, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                try {
                    exchange.sendResponseHeaders(200, -1);
                } catch (IOException gone) {
                    // the sender is gone
                }
                exchange.close();
                return;
            }
            deliveries.add(new Delivery(raw, exchange.getRequestHeaders().getFirst("X-Gateway-Signature-256"), status));
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
    }

    /** Waits until the POST of {@link #hangOnSeq} arrived and hangs. */
    public boolean awaitHanging(java.time.Duration timeout) throws InterruptedException {
        return hanging.await(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** Lets the hanging POST end (its sender may be dead by then). */
    public void release() {
        release.countDown();
    }

    /** The URL to forward to, on 127.0.0.1. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/events";
    }

    public List<Delivery> all() {
        return new ArrayList<>(deliveries);
    }

    /** The POSTs it accepted (a 2xx), in the order they came. */
    public List<Delivery> accepted() {
        return deliveries.stream().filter(d -> d.answered() >= 200 && d.answered() < 300).toList();
    }

    public List<Long> acceptedSeqs() {
        return accepted().stream().map(Delivery::seq).toList();
    }

    @Override
    public void close() {
        release();
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
