package io.wagateway.config;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Several data-modifying statements run as one {@code WITH} query: one round trip, one wake-up of
 * the backend and one plan instead of one each per statement, a large share of PostgreSQL's cost
 * when batches are small. Each part is
 * written on its own with parameters {@code $1..$k}; they are renumbered as parts are added, so
 * parts written by different classes compose. The parts run on one snapshot: a part sees another's
 * rows only through its {@code RETURNING} (see PostgreSQL's "Data-Modifying Statements in WITH").
 */
public final class CombinedWrite {

    private final StringBuilder with = new StringBuilder();
    private final List<Object> arguments = new ArrayList<>();

    /** Adds {@code name as (sql)}; {@code sql}'s {@code $i} is {@code arguments[i - 1]}. */
    public CombinedWrite part(String name, String sql, Object... arguments) {
        with.append(with.isEmpty() ? "with " : ",\n").append(name).append(" as (").append(renumber(sql)).append(')');
        this.arguments.addAll(Arrays.asList(arguments));
        return this;
    }

    /** Runs the parts with {@code select} as the main query (which may read the parts' RETURNING). */
    public Uni<RowSet<Row>> execute(SqlConnection connection, String select, Object... arguments) {
        return connection.preparedQuery(sql(select)).execute(Tuple.from(arguments(arguments).toArray()));
    }

    /** The statement {@link #execute} runs. */
    String sql(String select) {
        return with + "\n" + renumber(select);
    }

    /** Its arguments: the parts', then the main query's. */
    List<Object> arguments(Object... selectArguments) {
        List<Object> all = new ArrayList<>(this.arguments);
        all.addAll(Arrays.asList(selectArguments));
        return all;
    }

    /**
     * For the rest of the caller's transaction, PostgreSQL reuses one plan per prepared statement
     * instead of planning each execution again. By default it plans anew whenever a statement's
     * parameters are arrays (its custom plan for a short array always looks cheaper than the generic
     * one), which for the set-based write paths costs more than executing them. Send it together
     * with the transaction's first queries: the connection pipelines them, so it adds no round trip.
     */
    public static Uni<Void> reusePlans(SqlConnection connection) {
        return connection.query("set local plan_cache_mode = force_generic_plan").execute().replaceWithVoid();
    }

    /**
     * {@code $i} -> {@code $(i + parameters so far)}. A plain scan rather than a regular expression:
     * it runs for every part of every batch on the event loop, and the regex replacement was 3% of the
     * webhook path's CPU in a profile.
     */
    private String renumber(String sql) {
        int offset = arguments.size();
        if (offset == 0) {
            return sql;
        }
        StringBuilder out = new StringBuilder(sql.length() + 16);
        int i = 0;
        while (i < sql.length()) {
            char c = sql.charAt(i++);
            out.append(c);
            if (c == '$' && i < sql.length() && Character.isDigit(sql.charAt(i))) {
                int number = 0;
                while (i < sql.length() && Character.isDigit(sql.charAt(i))) {
                    number = number * 10 + (sql.charAt(i++) - '0');
                }
                out.append(number + offset);
            }
        }
        return out.toString();
    }
}
