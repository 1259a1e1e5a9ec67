package io.wagateway.conversation;

import java.util.List;

/** One page of a listing; {@code nextCursor} is null on the last page. */
public record Page<T>(List<T> items, String nextCursor) {

    public <V> Page<V> map(java.util.function.Function<T, V> view) {
        return new Page<>(items.stream().map(view).toList(), nextCursor);
    }
}
