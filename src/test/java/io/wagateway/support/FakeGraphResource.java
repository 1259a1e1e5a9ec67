package io.wagateway.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.vertx.core.Vertx;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Map;

/**
 * Runs the application in cloud mode against a {@link FakeGraphApi}, with short retry delays.
 * Inject the fake into the test with {@link InjectFakeGraph}.
 */
public class FakeGraphResource implements QuarkusTestResourceLifecycleManager {

    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    public @interface InjectFakeGraph {
    }

    private Vertx vertx;
    private FakeGraphApi fake;

    @Override
    public Map<String, String> start() {
        vertx = Vertx.vertx();
        fake = new FakeGraphApi(vertx);
        int port = fake.start();
        return Map.of(
                "app.whatsapp.mode", "cloud",
                "app.whatsapp.api-url", "http://127.0.0.1:" + port,
                "app.whatsapp.call-timeout", "1s",
                "app.whatsapp.retry-initial-delay", "50ms",
                "app.whatsapp.retry-max-delay", "200ms",
                "app.whatsapp.max-attempts", "4",
                "app.whatsapp.messages-per-second", "1000");
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(fake, new TestInjector.AnnotatedAndMatchesType(InjectFakeGraph.class,
                FakeGraphApi.class));
    }

    @Override
    public void stop() {
        if (vertx != null) {
            vertx.close();
        }
    }
}
