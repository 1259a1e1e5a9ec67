package io.wagateway.fanout;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import io.wagateway.conversation.InboundMessageService;
import io.wagateway.phonenumber.PhoneNumber;
import io.wagateway.support.Seeder;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Concurrent writers of one tenant: seq is gapless and follows commit order. */
@QuarkusTest
class EventLogTest {

    @Inject
    Seeder seeder;

    @Inject
    ObjectMapper json;

    @Inject
    Pool pool;

    @Inject
    EventLog eventLog;

    @Test
    void concurrentInboundMessagesGetGaplessIncreasingSeq() throws Throwable {
        String tenant = Seeder.tenant();
        PhoneNumber number = seeder.phoneNumber(tenant);
        int writers = 40;
        ExecutorService threads = Executors.newFixedThreadPool(8);
        List<CompletableFuture<InboundMessageService.Result>> results = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            String customer = Seeder.number();
            results.add(CompletableFuture.supplyAsync(
                    () -> seeder.inbound(number, customer, "C", "hi", Instant.now()), threads));
        }
        List<Long> seqs = new ArrayList<>();
        for (var result : results) {
            result.get(30, TimeUnit.SECONDS).events().forEach(e -> seqs.add(e.seq()));
        }
        threads.shutdown();
        assertEquals(writers * 2, seqs.size());
        assertEquals(writers * 2L, seqs.stream().distinct().count());

        List<Long> stored = VertxContextSupport.subscribeAndAwait(() -> pool
                .preparedQuery("select seq from event where tenant_id = $1 order by seq")
                .execute(Tuple.of(tenant))
                .map(rows -> {
                    List<Long> out = new ArrayList<>();
                    for (Row row : rows) {
                        out.add(row.getLong(0));
                    }
                    return out;
                }));
        List<Long> expected = new ArrayList<>();
        for (long s = 1; s <= writers * 2L; s++) {
            expected.add(s);
        }
        assertEquals(expected, stored);
        Long counter = VertxContextSupport.subscribeAndAwait(() -> pool
                .preparedQuery("select last_seq from tenant where id = $1").execute(Tuple.of(tenant))
                .map(rows -> rows.iterator().next().getLong(0)));
        assertEquals(writers * 2L, counter);
        // stored as a JSON object, not a JSON string holding one
        assertEquals(writers * 2L, (long) VertxContextSupport.subscribeAndAwait(() -> pool
                .preparedQuery("select count(*) from event where tenant_id = $1 and jsonb_typeof(payload) = 'object'")
                .execute(Tuple.of(tenant)).map(rows -> rows.iterator().next().getLong(0))));
    }

    /**
     * The append every write path uses, called directly from concurrent transactions that stay open
     * a while after appending: each gets a contiguous range, together they are gapless, and what
     * each was told is what the table holds.
     */
    @Test
    void concurrentAppendsTakeContiguousRangesWithoutGaps() throws Throwable {
        String tenant = Seeder.tenant();
        seeder.phoneNumber(tenant); // creates the tenant and its counter
        int writers = 30;
        List<Uni<List<DurableEvent>>> appends = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            double hold = (i % 5) * 0.005;
            List<NewEvent> events = List.of(
                    new NewEvent("e", Audience.TENANT, null, null, null, Map.of("writer", i, "n", 1)),
                    new NewEvent("e", Audience.TENANT, null, null, null, Map.of("writer", i, "n", 2)));
            appends.add(pool.withTransaction(connection -> eventLog.append(connection, tenant, events)
                    .call(() -> connection.preparedQuery("select pg_sleep($1)").execute(Tuple.of(hold)))));
        }
        List<List<DurableEvent>> told = VertxContextSupport.subscribeAndAwait(
                () -> Uni.join().all(appends).andFailFast());
        List<Long> all = new ArrayList<>();
        for (List<DurableEvent> range : told) {
            assertEquals(2, range.size());
            assertEquals(range.get(0).seq() + 1, range.get(1).seq(), "one transaction's events are contiguous");
            range.forEach(e -> all.add(e.seq()));
        }
        all.sort(Long::compare);
        List<Long> expected = new ArrayList<>();
        for (long s = 1; s <= writers * 2L; s++) {
            expected.add(s);
        }
        assertEquals(expected, all);
        for (List<DurableEvent> range : told) {
            DurableEvent first = range.get(0);
            String stored = VertxContextSupport.subscribeAndAwait(() -> pool
                    .preparedQuery("select payload::text from event where tenant_id = $1 and seq = $2")
                    .execute(Tuple.of(tenant, first.seq())).map(rows -> rows.iterator().next().getString(0)));
            assertEquals(json.readTree(first.payloadJson()), json.readTree(stored));
        }
    }
}
