package io.wagateway.conversation;

import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.wagateway.outbound.OutboundMessageService;
import io.wagateway.phonenumber.PhoneNumber;
import io.wagateway.protocol.ClientEvent;
import io.wagateway.security.ClientIdentity;
import io.wagateway.support.Db;
import io.wagateway.support.Seeder;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Writers that lock several contacts and conversations do it in one global order (InboundStore's
 * upsertContacts), so that PostgreSQL never has to break a deadlock between them. The batches here
 * are the ones that deadlocked when each locked in its own order: the same two customers' messages
 * to two numbers of the tenant in opposite orders (two lanes, as on two replicas), and a send batch
 * to both customers' conversations while their messages come in in the other order. Counted by
 * PostgreSQL itself ({@code pg_stat_database.deadlocks}), since a batch that fails is retried one
 * message at a time and nothing else would show it.
 */
@QuarkusTest
class LockOrderTest {

    private static final int ROUNDS = 30;

    @Inject
    InboundMessageService inbound;

    @Inject
    OutboundMessageService outbound;

    @Inject
    Seeder seeder;

    @Inject
    Db db;

    @Inject
    Vertx vertx;

    @Test
    void batchesThatLockTheSameCustomersInOppositeOrdersDoNotDeadlock() throws Exception {
        String tenant = Seeder.tenant();
        PhoneNumber one = seeder.phoneNumber(tenant);
        PhoneNumber two = seeder.phoneNumber(tenant);
        ClientIdentity agent = new ClientIdentity(tenant, "alice", "Alice", Set.of("agent"),
                Instant.now().plus(Duration.ofHours(1)));
        long before = deadlocks();
        int stored = 0;
        for (int round = 0; round < ROUNDS; round++) {
            String a = Seeder.number();
            String b = Seeder.number();
            boolean existing = round % 2 == 1; // new customers meet on the unique keys, known ones on row locks
            List<UUID> conversations = new ArrayList<>();
            if (existing) {
                conversations.add(seeder.inbound(one, a, "A", "hello", Instant.now()).conversationId());
                conversations.add(seeder.inbound(one, b, "B", "hello", Instant.now()).conversationId());
                seeder.inbound(two, a, "A", "hello", Instant.now());
                seeder.inbound(two, b, "B", "hello", Instant.now());
            }
            List<CompletableFuture<?>> all = new ArrayList<>();
            // each pair submitted in one event-loop task, so that each lane takes it as one batch
            all.addAll(together(() -> inbound.record(text(one, a)), () -> inbound.record(text(one, b))));
            all.addAll(together(() -> inbound.record(text(two, b)), () -> inbound.record(text(two, a))));
            if (existing) {
                all.addAll(together(() -> outbound.send(agent, send(a, conversations.get(0))),
                        () -> outbound.send(agent, send(b, conversations.get(1)))));
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            stored += 4;
        }
        assertEquals(ROUNDS * 4, stored);
        assertEquals(ROUNDS * 4 + ROUNDS / 2 * 4, db.count("""
                select count(*) from message m join conversation c on c.id = m.conversation_id
                 where c.tenant_id = $1 and m.direction = 'inbound'""", tenant));
        assertEquals(before, settledDeadlocks(before), "deadlocks PostgreSQL had to break");
    }

    private List<CompletableFuture<?>> together(java.util.function.Supplier<Uni<?>> first,
                                                java.util.function.Supplier<Uni<?>> second) {
        CompletableFuture<?> x = new CompletableFuture<>();
        CompletableFuture<?> y = new CompletableFuture<>();
        vertx.getOrCreateContext().runOnContext(v -> {
            first.get().subscribe().with(done -> x.complete(null), x::completeExceptionally);
            second.get().subscribe().with(done -> y.complete(null), y::completeExceptionally);
        });
        return List.of(x, y);
    }

    private static InboundMessage text(PhoneNumber number, String from) {
        return InboundMessage.text(number.phoneNumberId, from, "Customer " + from, "wamid." + UUID.randomUUID(),
                Instant.now(), "hi");
    }

    private static ClientEvent.SendMessage send(String to, UUID conversation) {
        return new ClientEvent.SendMessage(to, "on it", "text", conversation.toString(), null, null, null, null,
                null, null, null);
    }

    private long deadlocks() {
        return db.count("select deadlocks from pg_stat_database where datname = current_database()");
    }

    /**
     * The counter once every backend has reported: a backend flushes its statistics when idle, within
     * about ten seconds, so a deadlock is waited for that long before the count is believed.
     */
    private long settledDeadlocks(long before) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(12);
        long now = deadlocks();
        while (now == before && System.nanoTime() < deadline) {
            Thread.sleep(500);
            now = deadlocks();
        }
        return now;
    }
}
