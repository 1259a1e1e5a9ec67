package io.wagateway.inbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * axe-core (the npm devDependency of apps/inbox, from the workspace's node_modules) run inside the
 * page: no violation of impact "serious" or "critical" is allowed; the others are printed.
 */
final class Axe {

    static final Path SCRIPT = Path.of("src", "main", "webui", "node_modules", "axe-core", "axe.min.js");

    private Axe() {
    }

    @SuppressWarnings("unchecked")
    static void assertNoSeriousViolations(Browser browser, String what) throws IOException {
        assertTrue(Files.exists(SCRIPT), SCRIPT + " missing: run npm ci in src/main/webui (the Maven build does)");
        browser.js(Files.readString(SCRIPT));
        Object result = browser.driver.executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations.map(v => ({
                  id: v.id, impact: v.impact, help: v.help,
                  nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ': ' + (n.failureSummary || '').replace(/\\s+/g, ' '))
                }))), e => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]));
                """);
        List<Map<String, Object>> violations = (List<Map<String, Object>>) result;
        List<Map<String, Object>> serious = violations.stream()
                .filter(v -> "serious".equals(v.get("impact")) || "critical".equals(v.get("impact"))).toList();
        violations.stream().filter(v -> !serious.contains(v))
                .forEach(v -> System.out.println("axe (" + what + ", " + v.get("impact") + "): " + v.get("id") + " " + v.get("help")));
        assertTrue(serious.isEmpty(), "axe-core, " + what + ": " + serious);
        System.out.println("axe-core, " + what + ": no serious or critical violation (" + violations.size() + " minor)");
    }
}
