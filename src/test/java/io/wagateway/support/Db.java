package io.wagateway.support;

import io.quarkus.vertx.VertxContextSupport;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

/** Read-only checks of what is stored, for assertions (seeding goes through the services). */
@ApplicationScoped
public class Db {

    private final Pool pool;

    public Db(Pool pool) {
        this.pool = pool;
    }

    public long count(String sql, Object... params) {
        try {
            return VertxContextSupport.subscribeAndAwait(() -> pool.preparedQuery(sql).execute(Tuple.from(params))
                    .map(rows -> rows.iterator().next().getLong(0)));
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    public String string(String sql, Object... params) {
        try {
            return VertxContextSupport.subscribeAndAwait(() -> pool.preparedQuery(sql).execute(Tuple.from(params))
                    .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString(0)));
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }
}
