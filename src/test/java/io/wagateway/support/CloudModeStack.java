package io.wagateway.support;

import io.vertx.core.Vertx;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What a black-box test of the packaged app in cloud mode needs around it: its own PostgreSQL, a
 * Vert.x for clients, the Graph API imitation, and the environment that points the app at them
 * with one registered number. Start the app with {@code AppProcess.start(name, postgres().getPort(), env())}.
 */
public record CloudModeStack(EmbeddedPostgres postgres, Vertx vertx, FakeGraphApi graph, Map<String, String> env)
        implements AutoCloseable {

    /** @param extraEnv more settings for the app, e.g. shorter locks */
    public static CloudModeStack start(String tenant, String phoneNumberId, String display,
                                       Map<String, String> extraEnv) throws Exception {
        EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
        Vertx vertx = Vertx.vertx();
        FakeGraphApi graph = new FakeGraphApi(vertx);
        int graphPort = graph.start();
        Map<String, String> env = new HashMap<>(Map.of("APP_WHATSAPP_MODE", "cloud",
                "APP_WHATSAPP_API_URL", "http://127.0.0.1:" + graphPort, "APP_WHATSAPP_TENANT", tenant,
                "APP_WHATSAPP_PHONE_NUMBER_ID", phoneNumberId, "APP_WHATSAPP_DISPLAY_PHONE_NUMBER", display,
                "APP_WHATSAPP_ACCESS_TOKEN", "it-token"));
        env.putAll(extraEnv);
        return new CloudModeStack(postgres, vertx, graph, Map.copyOf(env));
    }

    @Override
    public void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        postgres.close();
    }
}
