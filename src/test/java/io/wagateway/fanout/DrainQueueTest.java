package io.wagateway.fanout;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Items added while a take is pending join it; one task, one afterAll, order kept. */
class DrainQueueTest {

    private final List<Runnable> scheduled = new ArrayList<>();
    private final List<String> taken = new ArrayList<>();
    private int afterAlls;
    private final DrainQueue<String> queue = new DrainQueue<>(scheduled::add, taken::add, () -> afterAlls++);

    @Test
    void itemsAddedWhileATakeIsPendingShareIt() {
        queue.add("a");
        queue.addAll(List.of("b", "c"));
        queue.add("d");
        assertEquals(1, scheduled.size(), "one task for four items");

        scheduled.remove(0).run();
        assertEquals(List.of("a", "b", "c", "d"), taken);
        assertEquals(1, afterAlls);

        queue.add("e"); // after the take: a new task
        assertEquals(1, scheduled.size());
        scheduled.remove(0).run();
        assertEquals(List.of("a", "b", "c", "d", "e"), taken);
        assertEquals(2, afterAlls);
    }

    @Test
    void anItemAddedDuringATakeIsNotLost() {
        DrainQueue<String>[] self = new DrainQueue[1];
        self[0] = new DrainQueue<>(scheduled::add, item -> {
            taken.add(item);
            if (item.equals("first")) {
                self[0].add("during"); // another producer, between two polls
            }
        }, () -> afterAlls++);
        self[0].add("first");
        while (!scheduled.isEmpty()) {
            scheduled.remove(0).run();
        }
        assertEquals(List.of("first", "during"), taken);
    }
}
