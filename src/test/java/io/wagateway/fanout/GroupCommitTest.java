package io.wagateway.fanout;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GroupCommit without Quarkus: batching, and a failed batch retried item by item. */
class GroupCommitTest {

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    /**
     * A batch that fails as a whole is stored again one item per transaction: the bad item fails
     * alone, the others get their results (null included), and a batch of thousands does not nest
     * its retries into a stack overflow.
     */
    @Test
    void aFailedBatchIsRetriedItemByItemAndOnlyTheBadItemFails() {
        int items = 3000;
        AtomicInteger transactions = new AtomicInteger();
        GroupCommit<Integer, String> commit = new GroupCommit<>(vertx, items, batch -> {
            transactions.incrementAndGet();
            if (batch.contains(13)) {
                return batch.size() == 1 ? Uni.createFrom().failure(new IllegalArgumentException("bad item"))
                        : Uni.createFrom().failure(new IllegalStateException("the batch failed"));
            }
            List<Object> results = new ArrayList<>();
            batch.forEach(i -> results.add(i % 2 == 0 ? null : "stored " + i));
            return Uni.createFrom().item(new GroupCommit.Outcome(results, List.of()));
        }, size -> {
        });
        // submitted from one Vert.x task, so that they wait in one batch
        List<Uni<String>> answers = Collections.synchronizedList(new ArrayList<>());
        vertx.runOnContext(v -> {
            for (int i = 0; i < items; i++) {
                answers.add(commit.submit("lane", i).memoize().indefinitely());
            }
            answers.forEach(a -> a.subscribe().with(ok -> { }, failure -> { }));
        });
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> answers.size() == items);
        for (int i = 0; i < items; i++) {
            Uni<String> answer = answers.get(i);
            if (i == 13) {
                Throwable failure = answer.onItem().transform(ok -> (Throwable) null)
                        .onFailure().recoverWithItem(f -> f).await().atMost(Duration.ofSeconds(20));
                assertEquals("bad item", failure.getMessage());
            } else if (i % 2 == 0) {
                assertNull(answer.await().atMost(Duration.ofSeconds(20)));
            } else {
                assertEquals("stored " + i, answer.await().atMost(Duration.ofSeconds(20)));
            }
        }
        assertTrue(transactions.get() >= items + 1, "retried one by one: " + transactions.get());
    }
}
