package io.wagateway.media;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;

import java.nio.file.Path;

/**
 * Where the bytes of media are kept: {@link PostgresMediaStore} (the default) or
 * {@link S3MediaStore}, chosen by {@code app.media.store}. Both stream: neither a write nor a read
 * holds a whole file in memory.
 */
public interface MediaStore {

    /** {@code postgres} or {@code s3}, as the media row's {@code store} column names it. */
    String name();

    /**
     * Stores the file as the media's bytes, replacing any earlier attempt's.
     *
     * @return the chunk size used, or null for a store without chunks
     */
    Uni<Integer> put(MediaRow media, Path file, long size);

    /** Bytes {@code [offset, offset + length)} of a stored media, read as the consumer asks for them. */
    Multi<Buffer> read(MediaRow media, long offset, long length);

    Uni<Void> delete(MediaRow media);
}
