package io.wagateway.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local HTTP server that imitates Meta's Graph API, scripted per test: queued replies are
 * served in order, then a default success. Records every request (method, path, headers, body).
 */
public final class FakeGraphApi {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** {@code size}: bytes of the body as received (uploads are multipart, so {@code body} is null for them). */
    public record Request(String method, String path, String query, Map<String, String> headers, JsonNode body,
                          int size) {}

    /** A media Meta holds: served at {@code GET /{version}/{id}} (its facts) and at its lookaside URL (the bytes). */
    private static final class HostedMedia {
        final byte[] bytes;
        final String mimeType;
        volatile String sha256;
        final AtomicInteger urls = new AtomicInteger();
        /** URLs older than this one answer 404 (expired). */
        volatile int firstValidUrl;
        /** Downloads wait for this before they are answered. */
        volatile java.util.concurrent.CompletableFuture<Void> gate = java.util.concurrent.CompletableFuture.completedFuture(null);
        /** The next this many downloads answer 500 (Meta down). */
        final AtomicInteger failures = new AtomicInteger();

        HostedMedia(byte[] bytes, String mimeType, String sha256) {
            this.bytes = bytes;
            this.mimeType = mimeType;
            this.sha256 = sha256;
        }
    }

    private final Map<String, HostedMedia> media = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile int port;

    /** {@code delayMs < 0} never answers (a hung call). */
    public record Reply(int status, String body, long delayMs) {
        public static Reply ok(String body) {
            return new Reply(200, body, 0);
        }

        public static Reply error(int status, int code, String message) {
            return new Reply(status, "{\"error\":{\"message\":\"" + message + "\",\"type\":\"OAuthException\",\"code\":"
                    + code + ",\"error_data\":{\"messaging_product\":\"whatsapp\",\"details\":\"details of " + code
                    + "\"},\"fbtrace_id\":\"Atrace\"}}", 0);
        }

        public static Reply hang() {
            return new Reply(200, "{}", -1);
        }
    }

    private final Vertx vertx;
    private final HttpServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedQueue<Reply> script = new ConcurrentLinkedQueue<>();
    private final AtomicInteger ids = new AtomicInteger();
    private final AtomicInteger accepted = new AtomicInteger();

    public FakeGraphApi(Vertx vertx) {
        this.vertx = vertx;
        this.server = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(buffer -> {
            JsonNode body = parse(buffer.getBytes());
            Map<String, String> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            req.headers().forEach(h -> headers.put(h.getKey(), h.getValue()));
            requests.add(new Request(req.method().name(), req.path(), req.query(), headers, body, buffer.length()));
            if (req.path().startsWith("/lookaside/")) {
                serveLookaside(req);
                return;
            }
            Reply reply = script.poll();
            if (reply == null) {
                reply = defaultReply(req.method().name(), req.path(), body);
            }
            Reply chosen = reply;
            Runnable answer = () -> {
                if (chosen.status() == 200 && req.path().endsWith("/messages") && body != null && !body.has("status")) {
                    accepted.incrementAndGet();
                }
                req.response().setStatusCode(chosen.status()).putHeader("Content-Type", "application/json")
                        .end(chosen.body());
            };
            if (chosen.delayMs() < 0) {
                return; // never answers
            }
            if (chosen.delayMs() == 0) {
                answer.run();
            } else {
                vertx.setTimer(chosen.delayMs(), id -> answer.run());
            }
        }));
    }

    private static JsonNode parse(byte[] bytes) {
        try {
            return bytes.length == 0 ? null : JSON.readTree(bytes);
        } catch (Exception e) {
            return null;
        }
    }

    /**
     * Meta's media host: needs the bearer token and a User-Agent (gabrieldwight #45), answers 404 for an
     * expired URL, 500 while scripted down.
     */
    private void serveLookaside(io.vertx.core.http.HttpServerRequest req) {
        String id = req.path().substring("/lookaside/".length());
        HostedMedia hosted = media.get(id);
        int url = Integer.parseInt(req.getParam("n", "0"));
        if (hosted == null || url < hosted.firstValidUrl) {
            req.response().setStatusCode(404).end("Not Found");
            return;
        }
        String authorization = req.getHeader("Authorization");
        String agent = req.getHeader("User-Agent");
        if (authorization == null || !authorization.startsWith("Bearer ") || agent == null || agent.isBlank()) {
            req.response().setStatusCode(403).end("Forbidden");
            return;
        }
        if (hosted.failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            req.response().setStatusCode(500).end("Internal Server Error");
            return;
        }
        hosted.gate.whenComplete((v, e) -> vertx.runOnContext(x -> req.response().setStatusCode(200)
                .putHeader("Content-Type", hosted.mimeType).end(io.vertx.core.buffer.Buffer.buffer(hosted.bytes))));
    }

    /** Meta holds this media under {@code id}; {@code sha256} as the Graph API gives it (hex or base64), null for none. */
    public void hostMedia(String id, byte[] bytes, String mimeType, String sha256) {
        media.put(id, new HostedMedia(bytes, mimeType, sha256));
    }

    /** Every download URL handed out so far for the media answers 404 from now on. */
    public void expireUrls(String id) {
        HostedMedia hosted = media.get(id);
        hosted.firstValidUrl = hosted.urls.get() + 1;
    }

    /** The first download URL handed out for the media has expired by the time it is used (404). */
    public void expireFirstUrl(String id) {
        media.get(id).firstValidUrl = 2;
    }

    /** Downloads of the media wait until {@link #release}. */
    public void hold(String id) {
        media.get(id).gate = new java.util.concurrent.CompletableFuture<>();
    }

    public void release(String id) {
        media.get(id).gate.complete(null);
    }

    /** The next {@code n} downloads of the media answer 500. */
    public void failDownloads(String id, int n) {
        media.get(id).failures.set(n);
    }

    /** Uploads received ({@code POST /{phone-number-id}/media}). */
    public List<Request> uploads() {
        return requests.stream().filter(r -> "POST".equals(r.method()) && r.path().endsWith("/media")).toList();
    }

    private Reply defaultReply(String method, String path, JsonNode body) {
        if ("POST".equals(method) && path.endsWith("/media")) {
            return Reply.ok("{\"id\":\"meta-upload-" + ids.incrementAndGet() + "\"}");
        }
        String last = path.substring(path.lastIndexOf('/') + 1);
        HostedMedia hosted = "GET".equals(method) ? media.get(last) : null;
        if (hosted != null) {
            int n = hosted.urls.incrementAndGet();
            return Reply.ok("{\"messaging_product\":\"whatsapp\",\"url\":\"http://127.0.0.1:" + port + "/lookaside/"
                    + last + "?n=" + n + "\",\"mime_type\":\"" + hosted.mimeType + "\","
                    + (hosted.sha256 == null ? "" : "\"sha256\":\"" + hosted.sha256 + "\",")
                    + "\"file_size\":\"" + hosted.bytes.length + "\",\"id\":\"" + last + "\"}");
        }
        if (path.endsWith("/messages")) {
            if (body != null && body.has("status")) {
                return Reply.ok("{\"success\":true}");
            }
            String to = body == null ? "" : body.path("to").asText();
            return Reply.ok("{\"messaging_product\":\"whatsapp\",\"contacts\":[{\"input\":\"" + to + "\",\"wa_id\":\""
                    + to + "\"}],\"messages\":[{\"id\":\"wamid.fake-" + ids.incrementAndGet() + "\"}]}");
        }
        if (path.endsWith("/message_qrdls") && "POST".equals(method)) {
            String code = "QR" + ids.incrementAndGet();
            return Reply.ok("{\"code\":\"" + code + "\",\"prefilled_message\":\""
                    + (body == null ? "" : body.path("prefilled_message").asText()) + "\",\"deep_link_url\":"
                    + "\"https://wa.me/message/" + code + "\",\"qr_image_url\":\"https://scontent.example/" + code + ".png\"}");
        }
        if (path.endsWith("/message_qrdls")) {
            return Reply.ok("{\"data\":[]}");
        }
        return Reply.ok("{\"id\":\"x\",\"verified_name\":\"Acme\",\"display_phone_number\":\"+1 555-000\","
                + "\"quality_rating\":\"GREEN\",\"status\":\"CONNECTED\",\"health_status\":{\"can_send_message\":\"AVAILABLE\"}}");
    }

    public int start() {
        try {
            port = server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)
                    .actualPort();
            return port;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public void stop() {
        server.close();
    }

    public void reset() {
        requests.clear();
        media.clear();
        script.clear();
        accepted.set(0);
    }

    public void enqueue(Reply... replies) {
        script.addAll(List.of(replies));
    }

    public List<Request> requests() {
        return new ArrayList<>(requests);
    }

    /** Requests whose path ends with the suffix. */
    public List<Request> requests(String pathSuffix) {
        return requests.stream().filter(r -> r.path().endsWith(pathSuffix)).toList();
    }

    /** Sends Meta accepted (200 to a message send). */
    public int accepted() {
        return accepted.get();
    }

    /** Waits until at least {@code n} requests to the suffix arrived; returns them. */
    public List<Request> await(String pathSuffix, int n) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            List<Request> matching = requests(pathSuffix);
            if (matching.size() >= n) {
                return matching;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new AssertionError("expected " + n + " requests to " + pathSuffix + ", got " + requests(pathSuffix));
    }
}
