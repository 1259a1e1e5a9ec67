package io.wagateway.support;

import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.util.KeyUtils;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The packaged application (prod profile) as a separate process, for black-box tests of what
 * needs real processes: several replicas, crashes, shutdown. JVM mode runs target/quarkus-app;
 * with {@code -Dnative} (the native profile sets {@code it.native}) the native executable at
 * {@code native.image.path} runs instead.
 */
public final class AppProcess {

    public static final String ISSUER = "https://wa-gateway.dev/issuer";

    public final Process process;
    public final URI base;
    public final Path log;

    private AppProcess(Process process, URI base, Path log) {
        this.process = process;
        this.base = base;
        this.log = log;
    }

    /** Starts an instance on a free port against the database, with {@code env} on top of the basics. */
    public static AppProcess start(String name, int dbPort, Map<String, String> env) throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path log = Path.of("target", "it-" + name + ".log").toAbsolutePath();
        ProcessBuilder builder = new ProcessBuilder(command())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> all = new HashMap<>();
        all.put("QUARKUS_HTTP_PORT", String.valueOf(port));
        all.put("QUARKUS_DATASOURCE_REACTIVE_URL", "postgresql://localhost:" + dbPort + "/postgres");
        all.put("QUARKUS_DATASOURCE_USERNAME", "postgres");
        all.put("QUARKUS_DATASOURCE_PASSWORD", "postgres");
        all.put("MP_JWT_VERIFY_PUBLICKEY_LOCATION",
                Path.of("src", "main", "resources", "dev-keys", "jwt-public.pem").toAbsolutePath().toString());
        all.put("MP_JWT_VERIFY_ISSUER", ISSUER);
        all.put("APP_WHATSAPP_APP_SECRET", Webhooks.SECRET);
        all.putAll(env);
        builder.environment().putAll(all);
        return new AppProcess(builder.start(), URI.create("http://localhost:" + port + "/"), log);
    }

    private static List<String> command() {
        if (Boolean.getBoolean("it.native")) {
            Path executable = Path.of(System.getProperty("native.image.path")).toAbsolutePath();
            return List.of(executable.toString(), "-Xmx256m");
        }
        Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar").toAbsolutePath();
        String java = ProcessHandle.current().info().command().orElse("java");
        return List.of(java, "-Xmx256m", "-jar", jar.toString());
    }

    /** A token the instances trust (they are pointed at the development public key). */
    public static String token(String tenant, String user) throws Exception {
        return Jwt.issuer(ISSUER).subject(user).groups(Set.of("agent")).claim("tenant", tenant)
                .expiresAt(Instant.now().plusSeconds(600)).sign(KeyUtils.readPrivateKey("dev-keys/jwt-private.pem"));
    }

    public AppProcess awaitReady() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("instance exited: " + Files.readString(log));
            }
            try {
                var response = http.send(HttpRequest.newBuilder(base.resolve("/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return this;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(200);
        }
        throw new AssertionError("instance not ready within 60 s: " + Files.readString(log));
    }

    public int postWebhook(String body) throws Exception {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(base.resolve(Webhooks.PATH))
                        .header("X-Hub-Signature-256", Webhooks.signature(bytes))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** SIGTERM: a graceful shutdown. */
    public void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    /** SIGKILL: a crash. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }
}
