package io.wagateway.conversation;

import java.util.List;
import java.util.function.Function;

/** One page of a listing; {@code nextCursor} is null on the last page. */
public record Page<T>(List<T> items, String nextCursor) {

    public <V> Page<V> map(Function<T, V> view) {
        return new Page<>(items.stream().map(view).toList(), nextCursor);
    }
}
