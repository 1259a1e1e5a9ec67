package io.wagateway.whatsapp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.wagateway.config.AppConfig;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;

/**
 * The Graph API's media transfers in cloud mode, streamed with Vert.x's HTTP client: a download
 * from Meta's media host (an absolute URL on another host than the Graph API, which the REST client
 * is bound to) into a file, hashing as the bytes pass, and an upload streamed from a file as
 * multipart. Neither holds a file in memory; a slow disk pauses the network, not the other way round.
 */
@ApplicationScoped
class MediaTransfers {

    private final Vertx vertx;
    private final HttpClient client;
    private final ObjectMapper json;
    private final String graphUrl;
    private final String userAgent;
    private final long idleTimeoutMs;

    MediaTransfers(Vertx vertx, ObjectMapper json, AppConfig config) {
        this.vertx = vertx;
        this.json = json;
        this.client = vertx.createHttpClient(new HttpClientOptions().setMaxPoolSize(32).setConnectTimeout(5000)
                .setMaxRedirects(5));
        String base = config.whatsapp().apiUrl();
        this.graphUrl = (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/"
                + config.whatsapp().apiVersion();
        this.userAgent = config.media().userAgent();
        this.idleTimeoutMs = config.media().downloadIdleTimeout().toMillis();
    }

    @PreDestroy
    void close() {
        client.close();
    }

    Uni<MediaDownload> download(String url, String accessToken, Path into) {
        RequestOptions options = new RequestOptions().setAbsoluteURI(url).setMethod(HttpMethod.GET)
                .setFollowRedirects(true).setIdleTimeout(idleTimeoutMs)
                .putHeader(HttpHeaders.AUTHORIZATION, "Bearer " + accessToken)
                .putHeader(HttpHeaders.USER_AGENT, userAgent);
        Future<MediaDownload> done = client.request(options).compose(request -> request.send())
                .compose(response -> response.statusCode() == 200 ? save(response, into)
                        : response.body().compose(body -> Future.failedFuture(GraphErrorMapper.parse(
                                response.statusCode(), body.toString(StandardCharsets.UTF_8)))));
        return uni(done);
    }

    /** Writes the body to the file as it arrives, pausing the response while the file's queue is full. */
    private Future<MediaDownload> save(HttpClientResponse response, Path into) {
        response.pause();
        return vertx.fileSystem().open(into.toString(), new OpenOptions().setWrite(true).setCreate(true)
                .setTruncateExisting(true)).compose(file -> {
                    Promise<MediaDownload> promise = Promise.promise();
                    MessageDigest digest = sha256();
                    long[] size = {0};
                    response.handler(chunk -> {
                        digest.update(chunk.getBytes());
                        size[0] += chunk.length();
                        file.write(chunk);
                        if (file.writeQueueFull()) {
                            response.pause();
                            file.drainHandler(v -> response.resume());
                        }
                    });
                    response.exceptionHandler(failure -> file.close().onComplete(v -> promise.tryFail(failure)));
                    response.endHandler(v -> file.close().onComplete(closed -> {
                        if (closed.failed()) {
                            promise.tryFail(closed.cause());
                        } else {
                            promise.tryComplete(new MediaDownload(size[0], HexFormat.of().formatHex(digest.digest())));
                        }
                    }));
                    response.resume();
                    return promise.future();
                });
    }

    /**
     * {@code POST /{phone-number-id}/media} with {@code messaging_product}, {@code type} and
     * {@code file}, the file streamed between a preamble and an epilogue, with its length known up
     * front (no chunked encoding, which some proxies refuse for uploads).
     */
    Uni<JsonNode> upload(String phoneNumberId, String accessToken, Path file, String mimeType, String filename) {
        String boundary = "wagateway-" + UUID.randomUUID();
        Buffer preamble = Buffer.buffer("--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"messaging_product\"\r\n\r\nwhatsapp\r\n"
                + "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"type\"\r\n\r\n" + mimeType + "\r\n"
                + "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"file\"; filename=\"" + quoted(filename) + "\"\r\n"
                + "Content-Type: " + mimeType + "\r\n\r\n");
        Buffer epilogue = Buffer.buffer("\r\n--" + boundary + "--\r\n");
        Future<JsonNode> done = vertx.fileSystem().open(file.toString(), new OpenOptions().setRead(true))
                .compose(source -> vertx.fileSystem().props(file.toString()).compose(props -> {
                    RequestOptions options = new RequestOptions().setAbsoluteURI(graphUrl + "/" + phoneNumberId + "/media")
                            .setMethod(HttpMethod.POST).setIdleTimeout(idleTimeoutMs)
                            .putHeader(HttpHeaders.AUTHORIZATION, "Bearer " + accessToken)
                            .putHeader(HttpHeaders.USER_AGENT, userAgent)
                            .putHeader(HttpHeaders.CONTENT_TYPE, "multipart/form-data; boundary=" + boundary)
                            .putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(preamble.length() + props.size()
                                    + epilogue.length()));
                    return client.request(options).compose(request -> {
                        Future<HttpClientResponse> response = request.response();
                        request.write(preamble)
                                .compose(v -> source.pipe().endOnComplete(false).to(request))
                                .compose(v -> request.end(epilogue))
                                .onFailure(f -> request.reset(0, f));
                        return response;
                    }).compose(response -> response.body().map(body -> {
                        String text = body.toString(StandardCharsets.UTF_8);
                        if (response.statusCode() >= 300) {
                            throw GraphErrorMapper.parse(response.statusCode(), text);
                        }
                        try {
                            return json.readTree(text);
                        } catch (Exception e) {
                            throw new MetaError(response.statusCode(), 0, "Graph API answered no JSON", null);
                        }
                    })).eventually(v -> closeQuietly(source));
                }));
        return uni(done);
    }

    private static Future<Void> closeQuietly(AsyncFile file) {
        return file.close().recover(f -> Future.succeededFuture());
    }

    private static String quoted(String filename) {
        return filename.replaceAll("[\"\\\\\r\n]", "_");
    }

    /** Transport failures (not Meta's answers) as retryable network errors, without the URL (it is a credential). */
    private static <T> Uni<T> uni(Future<T> future) {
        return Uni.createFrom().completionStage(future.toCompletionStage())
                .onFailure(f -> !(f instanceof MetaError)).transform(f -> MetaError.network(
                        "media transfer failed: " + f.getClass().getSimpleName()));
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
