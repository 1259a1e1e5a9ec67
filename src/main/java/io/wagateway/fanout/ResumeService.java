package io.wagateway.fanout;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * {@code resume}: replays to a connection every event after {@code lastSeq} it is entitled to,
 * then answers, then lets live events through. Live events that arrive meanwhile are held by the
 * connection and sent after the answer; its last-sent seq drops duplicates.
 */
@ApplicationScoped
public class ResumeService {

    private final FanoutService fanout;
    private final EventReader reader;
    private final List<StalePayloads> stale;

    public ResumeService(FanoutService fanout, EventReader reader, @Any Instance<StalePayloads> stale) {
        this.fanout = fanout;
        this.reader = reader;
        this.stale = stale.stream().toList();
    }

    public record Resumed(boolean recovered, int replayed, long lastSeq) {}

    /**
     * @param answer builds the answer frame, sent between the replay and the held live events
     */
    public Uni<Resumed> resume(Subscriber subscriber, long lastSeq, Function<Resumed, String> answer) {
        CompletableFuture<Resumed> resumed = new CompletableFuture<>();
        // hold first, then read how far live delivery got: every event up to that seq either reached
        // the connection live before the hold or waits behind it, and the replay covers the rest
        subscriber.execute(() -> {
            subscriber.holdLive();
            fanout.whenDelivered(subscriber.tenant(), upTo -> recover(subscriber, lastSeq, upTo, resumed));
        });
        // the floor is what the client had: not upTo, since a live event at or below upTo may be
        // among the held ones (delivered after the hold, before upTo was read), which the replay skips
        return Uni.createFrom().completionStage(resumed)
                .call(result -> onLoop(subscriber, () -> subscriber.releaseLive(answer.apply(result), lastSeq)))
                .onFailure().call(() -> onLoop(subscriber, () -> subscriber.releaseLive(null, lastSeq)));
    }

    private void recover(Subscriber subscriber, long lastSeq, long upTo, CompletableFuture<Resumed> resumed) {
        if (lastSeq >= upTo) {
            resumed.complete(new Resumed(true, 0, upTo));
            return;
        }
        reader.oldestSeq(subscriber.tenant()).subscribe().with(oldest -> {
            if (oldest == null || lastSeq + 1 < oldest) {
                resumed.complete(new Resumed(false, 0, upTo));
            } else {
                replayFrom(subscriber, lastSeq, upTo, 0, resumed);
            }
        }, resumed::completeExceptionally);
    }

    /**
     * One page after another, each read when the previous one is written: a step per page through
     * callbacks, never a chain whose length grows with the gap.
     */
    private void replayFrom(Subscriber subscriber, long after, long upTo, int sent, CompletableFuture<Resumed> resumed) {
        reader.read(subscriber.tenant(), after, upTo, FanoutService.PAGE).subscribe().with(read -> {
            List<DurableEvent> page = read;
            for (StalePayloads renewal : stale) {
                page = renewal.renew(page);
            }
            List<DurableEvent> replayed = page;
            CompletableFuture<Integer> written = new CompletableFuture<>();
            subscriber.execute(() -> subscriber.replay(replayed).whenComplete((n, failure) -> {
                if (failure != null) {
                    written.completeExceptionally(failure);
                } else {
                    written.complete(n);
                }
            }));
            written.whenComplete((n, failure) -> {
                if (failure != null) {
                    resumed.completeExceptionally(failure);
                } else if (replayed.size() < FanoutService.PAGE) {
                    resumed.complete(new Resumed(true, sent + n, upTo));
                } else {
                    replayFrom(subscriber, replayed.get(replayed.size() - 1).seq(), upTo, sent + n, resumed);
                }
            });
        }, resumed::completeExceptionally);
    }

    private static Uni<Void> onLoop(Subscriber subscriber, Runnable task) {
        return Uni.createFrom().emitter(emitter -> subscriber.execute(() -> {
            task.run();
            emitter.complete(null);
        }));
    }
}
