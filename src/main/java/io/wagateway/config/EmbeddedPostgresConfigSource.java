package io.wagateway.config;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * Lazily starts one embedded PostgreSQL per JVM the first time the datasource URL is read.
 * One per JVM on purpose: dev-mode reloads and successive {@code @QuarkusTest} applications
 * reuse it instead of paying for initdb again. Dev mode keeps its data in
 * {@code target/dev-postgres}; tests use a throw-away directory.
 */
final class EmbeddedPostgresConfigSource implements ConfigSource {

    private static final Logger LOG = Logger.getLogger(EmbeddedPostgresConfigSource.class);
    private static final String USER = "quarkus.datasource.username";
    private static final String PASSWORD = "quarkus.datasource.password";
    private static volatile EmbeddedPostgres server;

    private final boolean persistent;

    EmbeddedPostgresConfigSource(boolean persistent) {
        this.persistent = persistent;
    }

    @Override
    public Set<String> getPropertyNames() {
        return Set.of(EmbeddedPostgresConfigSourceFactory.URL, USER, PASSWORD);
    }

    @Override
    public String getValue(String name) {
        return switch (name) {
            case EmbeddedPostgresConfigSourceFactory.URL ->
                    "postgresql://localhost:" + server(persistent).getPort() + "/postgres";
            case USER -> "postgres";
            case PASSWORD -> "postgres";
            default -> null;
        };
    }

    @Override
    public Map<String, String> getProperties() {
        return Map.of();
    }

    @Override
    public int getOrdinal() {
        return 100; // below application.properties (250) and the environment (300)
    }

    @Override
    public String getName() {
        return "embedded-postgresql";
    }

    private static EmbeddedPostgres server(boolean persistent) {
        EmbeddedPostgres current = server;
        if (current != null) {
            return current;
        }
        synchronized (EmbeddedPostgresConfigSource.class) {
            if (server == null) {
                server = start(persistent);
            }
            return server;
        }
    }

    private static EmbeddedPostgres start(boolean persistent) {
        try {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setServerConfig("max_connections", "200")
                    .setServerConfig("fsync", persistent ? "on" : "off");
            if (persistent) {
                builder.setDataDirectory(Path.of("target", "dev-postgres").toAbsolutePath())
                        .setCleanDataDirectory(false);
            }
            EmbeddedPostgres started = builder.start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    started.close();
                } catch (IOException e) {
                    LOG.debug("embedded PostgreSQL did not stop cleanly", e);
                }
            }, "embedded-postgres-stop"));
            LOG.infof("Started embedded PostgreSQL on port %d (no quarkus.datasource.reactive.url configured)",
                    started.getPort());
            return started;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the embedded PostgreSQL", e);
        }
    }
}
