package io.wagateway.media;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import io.wagateway.config.AppConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.file.Path;

/**
 * Media bytes in PostgreSQL, in {@code media_chunk} rows of {@code app.media.chunk-size} bytes: one
 * chunk in memory at a time on the way in (read from the file, inserted, then the next) and on the
 * way out (one row read per chunk the HTTP response asks for, cut to the requested range by the
 * database). Any replica serves what any replica stored.
 */
@ApplicationScoped
public class PostgresMediaStore implements MediaStore {

    public static final String NAME = "postgres";

    private final Pool pool;
    private final Vertx vertx;
    private final int chunkSize;

    public PostgresMediaStore(Pool pool, Vertx vertx, AppConfig config) {
        this.pool = pool;
        this.vertx = vertx;
        this.chunkSize = config.media().chunkSize();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Uni<Integer> put(MediaRow media, Path file, long size) {
        long chunks = Math.max(1, (size + chunkSize - 1) / chunkSize);
        return pool.preparedQuery("delete from media_chunk where media_id = $1").execute(Tuple.of(media.id()))
                .chain(() -> Uni.createFrom().completionStage(() -> vertx.fileSystem()
                        .open(file.toString(), new OpenOptions().setRead(true)).toCompletionStage()))
                .chain(source -> insertFrom(source, media, 0, chunks, size)
                        .eventually(() -> Uni.createFrom().completionStage(() -> source.close().toCompletionStage())))
                .replaceWith(chunkSize);
    }

    /** Chunk {@code n}, then the next: one chunk's bytes in memory at a time. */
    private Uni<Void> insertFrom(AsyncFile source, MediaRow media, long n, long chunks, long size) {
        if (n >= chunks) {
            return Uni.createFrom().voidItem();
        }
        int length = (int) Math.min(chunkSize, size - n * chunkSize);
        Future<Buffer> read = source.read(Buffer.buffer(length), 0, n * chunkSize, length);
        return Uni.createFrom().completionStage(read.toCompletionStage())
                .chain(bytes -> pool.preparedQuery("insert into media_chunk (media_id, n, data) values ($1, $2, $3)")
                        .execute(Tuple.of(media.id(), (int) n, bytes)))
                .chain(() -> insertFrom(source, media, n + 1, chunks, size));
    }

    @Override
    public Multi<Buffer> read(MediaRow media, long offset, long length) {
        if (length <= 0) {
            return Multi.createFrom().empty();
        }
        int size = media.chunkSize() == null ? chunkSize : media.chunkSize();
        long end = offset + length; // exclusive
        int first = (int) (offset / size);
        int last = (int) ((end - 1) / size);
        return Multi.createFrom().range(first, last + 1).onItem().transformToUniAndConcatenate(n -> {
            long chunkStart = (long) n * size;
            int from = (int) Math.max(0, offset - chunkStart);
            int to = (int) Math.min(size, end - chunkStart);
            return pool.preparedQuery("select substring(data from $3 for $4) from media_chunk where media_id = $1 and n = $2")
                    .execute(Tuple.of(media.id(), n, from + 1, to - from))
                    .map(rows -> {
                        if (rows.size() == 0) {
                            throw new IllegalStateException("media " + media.id() + " lacks chunk " + n);
                        }
                        return rows.iterator().next().getBuffer(0).getDelegate();
                    });
        });
    }

    @Override
    public Uni<Void> delete(MediaRow media) {
        return pool.preparedQuery("delete from media_chunk where media_id = $1").execute(Tuple.of(media.id()))
                .replaceWithVoid();
    }
}
