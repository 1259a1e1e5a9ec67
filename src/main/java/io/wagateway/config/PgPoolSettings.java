package io.wagateway.config;

import io.quarkus.reactive.pg.client.PgPoolCreator;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnectOptions;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.List;

/**
 * The reactive pool as Quarkus configures it, with one client setting Quarkus does not expose: the
 * longest statement the client keeps prepared. Vert.x's default (2,048 characters) leaves out the
 * write paths' combined statements ({@link CombinedWrite}), which PostgreSQL would then parse and
 * plan on every execution (about a quarter of its CPU per send in the outbound benchmark).
 * Quarkus's own pool differs only by the credentials-provider hook, which this service does not use.
 */
@Singleton
public class PgPoolSettings implements PgPoolCreator {

    static final int PREPARED_STATEMENT_CACHE_SQL_LIMIT = 16_384;

    @Override
    public Pool create(Input input) {
        List<SqlConnectOptions> servers = new ArrayList<>();
        for (PgConnectOptions options : input.pgConnectOptionsList()) {
            servers.add(options.setPreparedStatementCacheSqlLimit(PREPARED_STATEMENT_CACHE_SQL_LIMIT));
        }
        return PgBuilder.pool().with(input.poolOptions()).connectingTo(servers).using(input.vertx()).build();
    }
}
