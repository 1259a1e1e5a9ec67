package io.wagateway.inbox;

import io.wagateway.support.Webhooks;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The inbox's speed in real Chromium against the packaged service (sandbox mode): the first render
 * of the list for a tenant with 1,000 conversations (under 1 s), and the page under 50 incoming
 * messages a second (no long task over 100 ms in the Performance API's long-task entries). The
 * figures are printed and written to target/inbox-speed.txt. The load lasts
 * {@code -Dinbox.bench.seconds} (default 30).
 */
class InboxSpeedIT {

    static final int CONVERSATIONS = 1000;
    static final int PER_SECOND = 50;
    static final int SECONDS = Integer.getInteger("inbox.bench.seconds", 30);

    static final int CORES = Runtime.getRuntime().availableProcessors();

    static SandboxApp sandbox;
    static Browser browser;

    @BeforeAll
    static void start() throws Exception {
        Browser.requireChromium();
        sandbox = SandboxApp.start("inbox-speed", Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.close();
        }
        if (sandbox != null) {
            sandbox.close();
        }
    }

    /** The 1-minute load average (what other processes take from the browser), 0 where unknown. */
    static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (Exception unknown) {
            return 0;
        }
    }

    @Test
    void firstRenderWithAThousandConversationsAndFiftyMessagesASecond() throws Exception {
        long seedStart = System.nanoTime();
        sandbox.seedConversations(CONVERSATIONS, "Customer");
        long seedMs = (System.nanoTime() - seedStart) / 1_000_000;
        String token = sandbox.token("speedy", "agent");
        browser = new Browser(1280, 800);

        // three loads of the page (a fresh page each time, the token handed over in the fragment)
        List<Long> firstRender = new ArrayList<>();
        long allLoaded = 0;
        for (int run = 0; run < 3; run++) {
            browser.open("about:blank");
            browser.open(sandbox.base() + "#token=" + token);
            Object at = browser.until(() -> browser.js("return document.documentElement.dataset.firstListRender || null"),
                    "the first rows of the list");
            firstRender.add(Long.parseLong(at.toString()));
            Object all = browser.until(() -> browser.js("""
                    const i = window.__inbox;
                    return i && i.listComplete && i.conversations.size >= arguments[0] ? Math.round(performance.now()) : null;
                    """, CONVERSATIONS), "all conversations loaded", Duration.ofSeconds(30));
            allLoaded = Long.parseLong(all.toString());
            assertTrue(!browser.driver.getCurrentUrl().contains("token="), "the token left the address bar");
        }
        browser.shot("20-thousand-conversations");
        long median = firstRender.stream().sorted().toList().get(1);

        // 50 messages a second, one webhook each, to random conversations (every tenth to the open one)
        System.out.println("InboxSpeedIT: first render " + firstRender + " ms, all loaded at " + allLoaded + " ms");
        org.openqa.selenium.WebElement search = browser.role("textbox", "Search conversations");
        search.sendKeys("+49 3000 00007"); // by number
        browser.option("Customer 7").click();
        browser.until(() -> browser.role("log", "Messages").getText().contains("Hello from customer 7"), "the thread");
        browser.close();

        // the load, in a fresh browser that no test has asked for accessible names (asking switches
        // Chromium's accessibility tree on, which a page without a screen reader does not pay for)
        browser = new Browser(1280, 800);
        browser.open(sandbox.base() + "#token=" + token);
        browser.until(() -> browser.js("""
                const i = window.__inbox;
                if (!i || !i.listComplete) return null;
                const c = i.conversations.all().find(c => c.contact.name === 'Customer 7');
                if (c && i.selectedId !== c.id) i.select(c.id);
                return c && document.querySelector('.log .msg') ? true : null;
                """), "Customer 7 open in the fresh page", Duration.ofSeconds(30));
        browser.js("""
                window.__longTasks = [];
                window.__received = 0;
                new PerformanceObserver(list => { for (const e of list.getEntries()) window.__longTasks.push(Math.round(e.duration)); })
                  .observe({type: 'longtask'});
                window.__inbox.client.on('new_message', () => window.__received++);
                // long animation frames name the scripts that ran in them: what a long task was made of
                window.__frames = [];
                try {
                  new PerformanceObserver(list => { for (const e of list.getEntries()) if (e.duration > 50) window.__frames.push(
                    Math.round(e.duration) + ' ms (blocking ' + Math.round(e.blockingDuration) + ', render ' +
                    Math.round(e.startTime + e.duration - (e.renderStart || e.startTime + e.duration)) + '): ' +
                    e.scripts.map(x => x.invokerType + ' ' + x.invoker + ' ' + Math.round(x.duration) + ' ms').join('; ')); })
                    .observe({type: 'long-animation-frame'});
                } catch (e) { /* an older browser */ }
                """);
        HttpClient http = HttpClient.newHttpClient();
        AtomicInteger sent = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        int total = PER_SECOND * SECONDS;
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        double[] busiest = {loadAverage()};
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        sampler.scheduleAtFixedRate(() -> busiest[0] = Math.max(busiest[0], loadAverage()), 5, 5, TimeUnit.SECONDS);
        long loadStart = System.nanoTime();
        timer.scheduleAtFixedRate(() -> {
            int n = sent.getAndIncrement();
            if (n >= total) {
                return;
            }
            int customer = n % 10 == 0 ? 7 : (int) (Math.random() * CONVERSATIONS);
            String from = "4930" + String.format("%07d", customer);
            byte[] body = Webhooks.text(SandboxApp.PHONE_NUMBER_ID, SandboxApp.DISPLAY, from, "Customer " + customer,
                    Webhooks.wamid(), "load message " + n).getBytes(StandardCharsets.UTF_8);
            http.sendAsync(HttpRequest.newBuilder(sandbox.base().resolve(Webhooks.PATH))
                            .header("X-Hub-Signature-256", Webhooks.signature(body)).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.discarding())
                    .thenAccept(r -> { if (r.statusCode() != 200) failed.incrementAndGet(); })
                    .exceptionally(e -> { failed.incrementAndGet(); return null; });
        }, 0, 1000 / PER_SECOND, TimeUnit.MILLISECONDS);
        browser.until(() -> sent.get() >= total, "the load sent", Duration.ofSeconds(SECONDS + 30L));
        timer.shutdownNow();
        sampler.shutdownNow();
        long loadMs = (System.nanoTime() - loadStart) / 1_000_000;
        browser.until(() -> ((Number) browser.js("return window.__received")).intValue() >= total,
                "every message at the page", Duration.ofSeconds(30));
        @SuppressWarnings("unchecked")
        List<Number> longTasks = (List<Number>) browser.js("return window.__longTasks");
        int longest = longTasks.stream().mapToInt(Number::intValue).max().orElse(0);
        System.out.println("InboxSpeedIT: long animation frames over 50 ms: " + browser.js("return window.__frames"));
        browser.shot("21-under-load");
        assertEquals(0, failed.get(), "webhook deliveries refused");

        String report = String.format(Locale.ROOT,
                "InboxSpeedIT %s: seeded %d conversations in %d ms; first render of the list: %d ms median of %s "
                        + "(after navigation start; all %d loaded at %d ms); %d messages/s for %d s (%d in %d ms): all at the page, "
                        + "%d long tasks (> 50 ms), longest %d ms; machine load average up to %.1f on %d cores",
                Instant.now(), CONVERSATIONS, seedMs, median, firstRender, CONVERSATIONS, allLoaded, PER_SECOND, SECONDS,
                total, loadMs, longTasks.size(), longest, busiest[0], CORES);
        System.out.println(report);
        Files.writeString(Path.of("target", "inbox-speed.txt"), report + "\n");
        assertTrue(median < 1000, "first render under 1 s: " + report);
        if (longest > 100 && busiest[0] > 2 * CORES) {
            // Long tasks are wall-clock: a browser that gets a quarter of a core shows every task four
            // times as long. Such a run says nothing about the page; it is reported, not judged.
            System.err.println("\n" + "!".repeat(100) + "\n!!! InboxSpeedIT: a long task over 100 ms while the machine was "
                    + "overloaded (load average " + busiest[0] + " on " + CORES + " cores): NOT JUDGED. Run it again on a "
                    + "quiet machine.\n" + "!".repeat(100));
        } else {
            assertTrue(longest <= 100, "no long task over 100 ms: " + report);
        }
    }
}
