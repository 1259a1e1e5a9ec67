package io.wagateway.config;

import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Hibernate Reactive only runs on a Vert.x duplicated context marked safe. Work started from a
 * timer, a pool callback or a batch (not from a request) gets a fresh one here.
 */
public final class ReactiveContexts {

    private ReactiveContexts() {
    }

    public static void runOnNewSafeContext(Vertx vertx, Runnable task) {
        Context context = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
        VertxContextSafetyToggle.setContextSafe(context, true);
        context.runOnContext(v -> task.run());
    }
}
