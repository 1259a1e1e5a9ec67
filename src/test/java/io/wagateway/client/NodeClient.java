package io.wagateway.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The built client library on Node ({@code src/main/webui/packages/client/it/driver.mjs}), driven
 * over stdin and stdout in JSON lines. Everything it printed is kept, so that a test can wait for a
 * line and later assert over the whole history.
 */
final class NodeClient implements AutoCloseable {

    static final Path DRIVER = Path.of("src", "main", "webui", "packages", "client", "it", "driver.mjs").toAbsolutePath();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final OutputStream stdin;
    private final List<JsonNode> lines = new CopyOnWriteArrayList<>();
    private final Path log;
    private int nextId;

    NodeClient(String url, String token, Path log, Path storage) throws IOException {
        this.log = log;
        ProcessBuilder builder = new ProcessBuilder("node", DRIVER.toString(), url)
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().put("WAGATEWAY_TOKEN", token);
        builder.environment().put("WAGATEWAY_MAX_DELAY_MS", "5000");
        builder.environment().put("WAGATEWAY_STORAGE_FILE", storage.toString());
        process = builder.start();
        stdin = process.getOutputStream();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    Files.writeString(log, line + "\n", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND,
                            java.nio.file.StandardOpenOption.CREATE);
                    try {
                        lines.add(JSON.readTree(line));
                    } catch (IOException notJson) {
                        // a stray line: kept in the log only
                    }
                }
            } catch (IOException ended) {
                // the process ended
            }
        }, "node-client-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** Sends a command; returns its id. */
    synchronized int command(String cmd, Map<String, Object> args) throws IOException {
        int id = ++nextId;
        var node = JSON.createObjectNode().put("id", id).put("cmd", cmd);
        args.forEach((k, v) -> node.put(k, String.valueOf(v)));
        stdin.write((node + "\n").getBytes(StandardCharsets.UTF_8));
        stdin.flush();
        return id;
    }

    List<JsonNode> lines() {
        return List.copyOf(lines);
    }

    /** Waits until a line after {@code from} (an index into the history) matches; returns its index. */
    int await(int from, Predicate<JsonNode> match, Duration timeout, String what) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            List<JsonNode> now = lines();
            for (int i = from; i < now.size(); i++) {
                if (match.test(now.get(i))) {
                    return i;
                }
            }
            if (!process.isAlive()) {
                break;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("client never printed " + what + " (after line " + from + "); log " + log + ":\n"
                + String.join("\n", lines().stream().map(JsonNode::toString).toList()));
    }

    static Predicate<JsonNode> type(String type) {
        return n -> type.equals(n.path("type").asText());
    }

    static Predicate<JsonNode> state(String state) {
        return n -> "state".equals(n.path("type").asText()) && state.equals(n.path("state").asText());
    }

    /** SIGKILL: the tab is closed or reloaded with no chance to clean up. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        if (!process.isAlive()) {
            return;
        }
        try {
            command("close", Map.of());
        } catch (IOException gone) {
            // already ended
        }
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
