package io.wagateway.fanout;

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
    Pool pool;

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
}
