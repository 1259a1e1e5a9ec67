package io.wagateway.media;

import io.wagateway.config.AppConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

/**
 * The store new media go to ({@code app.media.store}), and the store each existing media is in (its
 * row's {@code store}): after a switch of setting, earlier media stay readable where they are. The
 * S3 client is only built when something uses it.
 */
@ApplicationScoped
public class MediaStores {

    private final AppConfig.Media.StoreKind configured;
    private final PostgresMediaStore postgres;
    private final Instance<S3MediaStore> s3;

    public MediaStores(AppConfig config, PostgresMediaStore postgres, Instance<S3MediaStore> s3) {
        this.configured = config.media().store();
        this.postgres = postgres;
        this.s3 = s3;
    }

    /** Where new media are stored. */
    public MediaStore current() {
        return configured == AppConfig.Media.StoreKind.s3 ? s3.get() : postgres;
    }

    /** Where this media's bytes are. */
    public MediaStore of(MediaRow media) {
        return S3MediaStore.NAME.equals(media.store()) ? s3.get() : postgres;
    }
}
