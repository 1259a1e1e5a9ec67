package io.wagateway.media;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import io.wagateway.phonenumber.PhoneNumber;
import io.wagateway.protocol.ErrorCode;
import io.wagateway.protocol.ProtocolException;
import io.wagateway.protocol.WhatsAppException;
import io.wagateway.security.ClientIdentity;
import io.wagateway.whatsapp.MetaError;
import io.wagateway.whatsapp.WhatsAppClient;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.UUID;

/**
 * {@code POST /api/media} (PROTOCOL.md 6.4), the deciding half: sniff the type from the bytes, check
 * Meta's limit for it before anything is sent (413 / 415), upload to the Graph API for the number,
 * and keep a copy in the media store so that the agent's own message shows the file.
 */
@ApplicationScoped
public class MediaUploads {

    @RegisterForReflection
    public record Uploaded(String mediaId, String mimeType, long size, String filename) {}

    private final Pool pool;
    private final WhatsAppClient whatsapp;
    private final MediaStores stores;
    private final MediaCatalog catalog;

    public MediaUploads(Pool pool, WhatsAppClient whatsapp, MediaStores stores, MediaCatalog catalog) {
        this.pool = pool;
        this.whatsapp = whatsapp;
        this.stores = stores;
        this.catalog = catalog;
    }

    /**
     * @param file     the upload as Quarkus wrote it to disk
     * @param declared the part's Content-Type (only used to name a document format the bytes cannot tell)
     * @param type     image|audio|video|document|sticker, or null to follow from the sniffed type
     */
    public Uni<Uploaded> upload(ClientIdentity me, Path file, long size, String declared, String filename, String type,
                                String phoneNumberId) {
        if (type != null && !MediaTypes.isMediaType(type)) {
            return Uni.createFrom().failure(ProtocolException.badField("type",
                    "type must be image, audio, video, document or sticker"));
        }
        return blocking(() -> head(file)).chain(head -> {
            MediaTypes.Sniffed sniffed = MediaTypes.sniff(head, declared, filename);
            String as = type != null ? type : MediaTypes.typeOf(sniffed);
            if (as == null || !MediaTypes.accepts(as, sniffed)) {
                throw new ProtocolException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, (sniffed.mimeType() == null
                        ? "the file's type is not recognised" : "the file is " + sniffed.mimeType())
                        + (as == null ? ", which WhatsApp does not take" : ", which WhatsApp does not take as " + as));
            }
            long limit = MediaTypes.limit(as, sniffed);
            if (size > limit) {
                throw new ProtocolException(ErrorCode.PAYLOAD_TOO_LARGE, "WhatsApp takes " + as + " files of up to "
                        + limit + " bytes; this one has " + size);
            }
            if (size == 0) {
                throw ProtocolException.badField("file", "the file is empty");
            }
            String mime = sniffed.mimeType();
            String name = safeName(filename, mime);
            return number(me.tenant(), phoneNumberId).chain(number -> whatsapp.uploadMedia(number, file, mime, name)
                    .onFailure(MetaError.class).transform(f -> new WhatsAppException(f.getMessage(),
                            ((MetaError) f).code(), ((MetaError) f).details()))
                    .chain(metaId -> blocking(() -> sha256(file)).chain(sha -> {
                        MediaStore store = stores.current();
                        MediaRow row = new MediaRow(UUID.randomUUID(), me.tenant(), "outbound", null,
                                MediaRow.AVAILABLE, mime, name, size, sha, store.name(), null, metaId, number.id);
                        return catalog.insertUpload(row)
                                .chain(() -> store.put(row, file, size))
                                .chain(chunkSize -> catalog.uploadStored(row.id(), chunkSize))
                                .replaceWith(new Uploaded(row.id().toString(), mime, size, name));
                    })));
        });
    }

    /** The tenant's number the upload is for: the one named, or the default (first registered). */
    private Uni<PhoneNumber> number(String tenant, String phoneNumberId) {
        return pool.preparedQuery("""
                        select id, phone_number_id, access_token from phone_number
                         where tenant_id = $1 and ($2::text is null or phone_number_id = $2)
                         order by created_at, id limit 1""")
                .execute(Tuple.of(tenant, phoneNumberId))
                .map(rows -> {
                    if (rows.size() == 0) {
                        throw ProtocolException.notFound(phoneNumberId == null ? "WhatsApp number of this tenant"
                                : "WhatsApp number " + phoneNumberId);
                    }
                    Row row = rows.iterator().next();
                    PhoneNumber number = new PhoneNumber();
                    number.id = row.getUUID(0);
                    number.tenantId = tenant;
                    number.phoneNumberId = row.getString(1);
                    number.accessToken = row.getString(2);
                    return number;
                });
    }

    /** The client's name without a path, or one made from the type. */
    static String safeName(String filename, String mime) {
        String name = filename == null ? "" : filename.replace('\\', '/');
        name = name.substring(name.lastIndexOf('/') + 1).replaceAll("[\\p{Cntrl}\"]", "").trim();
        if (name.length() > 240) {
            name = name.substring(name.length() - 240);
        }
        return name.isEmpty() ? "upload." + MediaTypes.extension(mime) : name;
    }

    private static byte[] head(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(MediaTypes.HEAD);
            return Arrays.copyOf(head, head.length);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** File reads off the event loop; the caller goes on where the result lands (the pool does not mind). */
    private static <T> Uni<T> blocking(java.util.function.Supplier<T> work) {
        return Uni.createFrom().item(work).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }
}
