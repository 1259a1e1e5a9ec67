package io.wagateway.media;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.buffer.Buffer;
import io.wagateway.config.AppConfig;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

import java.net.URI;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * Media bytes in an S3-compatible object store ({@code app.media.store=s3}), one object per media
 * under {@code app.media.s3.prefix}. AWS SDK v2 with its URL-connection HTTP client, called on worker
 * threads (it blocks). Uploads stream from the file; reads are ranged GETs of one chunk
 * ({@code app.media.chunk-size}) at a time, asked for as the HTTP response drains, so a large file
 * never sits whole in memory here either.
 */
@ApplicationScoped
public class S3MediaStore implements MediaStore {

    public static final String NAME = "s3";

    private final S3Client client;
    private final String bucket;
    private final String prefix;
    private final int chunkSize;

    public S3MediaStore(AppConfig config) {
        AppConfig.Media.S3 s3 = config.media().s3();
        this.bucket = s3.bucket().orElseThrow(() -> new IllegalStateException(
                "app.media.store=s3 needs app.media.s3.bucket"));
        this.prefix = s3.prefix();
        this.chunkSize = Math.max(64 * 1024, config.media().chunkSize());
        S3ClientBuilder builder = S3Client.builder()
                .httpClient(UrlConnectionHttpClient.create())
                .region(Region.of(s3.region()))
                // plain PUTs with a Content-Length: what every S3-compatible store takes (no aws-chunked trailers)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(s3.pathStyle())
                        .chunkedEncodingEnabled(false).build());
        s3.endpoint().ifPresent(endpoint -> builder.endpointOverride(URI.create(endpoint)));
        if (s3.accessKeyId().isPresent() && s3.secretAccessKey().isPresent()) {
            builder.credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                    s3.accessKeyId().get(), s3.secretAccessKey().get())));
        } else {
            builder.credentialsProvider(DefaultCredentialsProvider.builder().build());
        }
        this.client = builder.build();
    }

    @PreDestroy
    void close() {
        client.close();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Uni<Integer> put(MediaRow media, Path file, long size) {
        return blocking(() -> {
            client.putObject(PutObjectRequest.builder().bucket(bucket).key(key(media)).contentLength(size)
                    .contentType(media.mimeType() == null ? "application/octet-stream" : media.mimeType()).build(),
                    RequestBody.fromFile(file));
            return null;
        });
    }

    @Override
    public Multi<Buffer> read(MediaRow media, long offset, long length) {
        if (length <= 0) {
            return Multi.createFrom().empty();
        }
        long end = offset + length; // exclusive
        long pieces = (length + chunkSize - 1) / chunkSize;
        return Multi.createFrom().range(0, (int) pieces).onItem().transformToUniAndConcatenate(i -> {
            long from = offset + (long) i * chunkSize;
            long to = Math.min(end, from + chunkSize) - 1; // inclusive, as Range is
            return blocking(() -> Buffer.buffer(client.getObjectAsBytes(GetObjectRequest.builder().bucket(bucket)
                    .key(key(media)).range("bytes=" + from + "-" + to).build()).asByteArray()));
        });
    }

    @Override
    public Uni<Void> delete(MediaRow media) {
        return blocking(() -> {
            client.deleteObject(DeleteObjectRequest.builder().bucket(bucket).key(key(media)).build());
            return null;
        }).replaceWithVoid();
    }

    private String key(MediaRow media) {
        return prefix + media.tenant() + "/" + media.id();
    }

    private static <T> Uni<T> blocking(Supplier<T> call) {
        return Uni.createFrom().item(call).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }
}
