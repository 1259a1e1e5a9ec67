package io.wagateway.fanout;

import java.util.Collection;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Items handed over from any thread, taken by one task at a time on the consumer's thread: items
 * added while that task is still pending join it. An idle consumer runs the task at once, so
 * nothing waits for a timer; a busy one takes many items in one go, which is what lets the fan-out
 * write many commits to a connection with one system call.
 *
 * @param <T> the items
 */
public final class DrainQueue<T> {

    private final Queue<T> items = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean taskPending = new AtomicBoolean();
    private final Consumer<Runnable> onConsumer;
    private final Consumer<T> each;
    private final Runnable afterAll;

    /**
     * @param onConsumer runs a task on the consumer's thread (an event loop, a Vert.x context)
     * @param each       called for every item, in the order added
     * @param afterAll   called once after the items a task took (a flush, say)
     */
    public DrainQueue(Consumer<Runnable> onConsumer, Consumer<T> each, Runnable afterAll) {
        this.onConsumer = onConsumer;
        this.each = each;
        this.afterAll = afterAll;
    }

    public void add(T item) {
        items.add(item);
        scheduleTake();
    }

    public void addAll(Collection<? extends T> added) {
        items.addAll(added);
        scheduleTake();
    }

    private void scheduleTake() {
        if (taskPending.compareAndSet(false, true)) {
            onConsumer.accept(this::take);
        }
    }

    private void take() {
        // cleared before polling: an item added after the last poll schedules the next task
        taskPending.set(false);
        T item;
        while ((item = items.poll()) != null) {
            each.accept(item);
        }
        afterAll.run();
    }
}
