package io.wagateway.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A small imitation of an S3-compatible object store for the tests (no real one can run on these
 * machines): path-style {@code PUT}, {@code GET} (with one {@code Range}), {@code HEAD} and
 * {@code DELETE} of objects in any bucket. It ignores signatures and stores the request body as
 * sent, so a client that framed its upload (aws-chunked) would be caught by the bytes read back.
 * As a test resource it runs the application with {@code app.media.store=s3} against itself.
 */
public class FakeS3 implements QuarkusTestResourceLifecycleManager {

    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    public @interface InjectFakeS3 {
    }

    public static final String BUCKET = "media-test";

    /** Method, path and Range of each request. */
    public record Request(String method, String path, String range, String contentEncoding) {}

    private Vertx vertx;
    private HttpServer server;
    private final Map<String, byte[]> objects = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    @Override
    public Map<String, String> start() {
        vertx = Vertx.vertx();
        server = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> handle(req, body)));
        int port;
        try {
            port = server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)
                    .actualPort();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return Map.of("app.media.store", "s3", "app.media.s3.endpoint", "http://127.0.0.1:" + port,
                "app.media.s3.bucket", BUCKET, "app.media.s3.path-style", "true",
                "app.media.s3.access-key-id", "test-key", "app.media.s3.secret-access-key", "test-secret",
                "app.media.chunk-size", "65536");
    }

    private void handle(HttpServerRequest req, Buffer body) {
        requests.add(new Request(req.method().name(), req.path(), req.getHeader("Range"),
                req.getHeader("Content-Encoding")));
        String key = req.path();
        switch (req.method().name()) {
            case "PUT" -> {
                objects.put(key, body.getBytes());
                req.response().putHeader("ETag", "\"" + Integer.toHexString(key.hashCode()) + "\"").end();
            }
            case "DELETE" -> {
                objects.remove(key);
                req.response().setStatusCode(204).end();
            }
            case "HEAD", "GET" -> {
                byte[] object = objects.get(key);
                if (object == null) {
                    req.response().setStatusCode(404).putHeader("Content-Type", "application/xml")
                            .end("<?xml version=\"1.0\"?><Error><Code>NoSuchKey</Code></Error>");
                    return;
                }
                int from = 0;
                int to = object.length - 1;
                String range = req.getHeader("Range");
                if (range != null && range.startsWith("bytes=")) {
                    String[] parts = range.substring(6).split("-", 2);
                    from = Integer.parseInt(parts[0]);
                    to = parts[1].isEmpty() ? object.length - 1 : Math.min(Integer.parseInt(parts[1]), object.length - 1);
                    req.response().setStatusCode(206).putHeader("Content-Range",
                            "bytes " + from + "-" + to + "/" + object.length);
                }
                req.response().putHeader("Content-Length", String.valueOf(to - from + 1))
                        .putHeader("Content-Type", "application/octet-stream");
                if ("HEAD".equals(req.method().name())) {
                    req.response().end();
                } else {
                    req.response().end(Buffer.buffer(java.util.Arrays.copyOfRange(object, from, to + 1)));
                }
            }
            default -> req.response().setStatusCode(405).end();
        }
    }

    public byte[] object(String key) {
        return objects.get(key);
    }

    public Map<String, byte[]> objects() {
        return Map.copyOf(objects);
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(this, new TestInjector.AnnotatedAndMatchesType(InjectFakeS3.class, FakeS3.class));
    }

    @Override
    public void stop() {
        if (vertx != null) {
            vertx.close();
        }
    }
}
