package io.wagateway.config;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import org.eclipse.microprofile.config.spi.ConfigSource;

import java.util.List;
import java.util.OptionalInt;

/**
 * Supplies the datasource of an embedded PostgreSQL in the dev and test profiles when no
 * {@code quarkus.datasource.reactive.url} is configured, so that a fresh clone runs and tests
 * with no Docker and no database server. The prod profile never gets one: a missing URL there
 * fails start-up as it should.
 */
public class EmbeddedPostgresConfigSourceFactory implements ConfigSourceFactory {

    static final String URL = "quarkus.datasource.reactive.url";

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        List<String> profiles = context.getProfiles();
        boolean dev = profiles.contains("dev");
        if (!dev && !profiles.contains("test")) {
            return List.of();
        }
        ConfigValue configured = context.getValue(URL);
        if (configured != null && configured.getValue() != null && !configured.getValue().isBlank()) {
            return List.of();
        }
        return List.of(new EmbeddedPostgresConfigSource(dev));
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(100);
    }
}
