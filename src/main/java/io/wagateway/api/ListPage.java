package io.wagateway.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.wagateway.conversation.Page;

import java.util.List;

/** A list of the REST API: {@code {data, nextCursor?}}; the next page is {@code ?cursor=<nextCursor>}. */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ListPage<T>(List<T> data, String nextCursor) {

    public static <T> ListPage<T> of(Page<T> page) {
        return new ListPage<>(page.items(), page.nextCursor());
    }

    public static <T> ListPage<T> of(List<T> items) {
        return new ListPage<>(items, null);
    }
}
