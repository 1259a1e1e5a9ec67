package io.wagateway.inbox;

import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One headless Chromium (Debian's {@code /usr/bin/chromium} and {@code /usr/bin/chromedriver}: no
 * driver or browser download) with a fresh profile, and what the inbox tests do with it: find
 * elements by their ARIA role and accessible name (as the browser computes them), wait, and take
 * screenshots under {@code target/inbox-screenshots}.
 */
final class Browser implements AutoCloseable {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final String INSTALL = "apt-get update && apt-get install -y chromium chromium-driver";
    static final Path SHOTS = Path.of("target", "inbox-screenshots");
    static final Duration WAIT = Duration.ofSeconds(20);

    final ChromeDriver driver;
    private final Path profile;

    /**
     * Without Chromium: a failure naming the install command under CI ({@code CI=true}), else the
     * tests are skipped with a loud warning.
     */
    static void requireChromium() {
        if (Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER)) {
            return;
        }
        String message = "Chromium or chromedriver missing (" + CHROMIUM + ", " + CHROMEDRIVER + "): install them with `"
                + INSTALL + "` (as root; .ci/run does it)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(message);
        }
        System.err.println("\n" + "!".repeat(100) + "\n!!! WARNING: the inbox browser tests are SKIPPED. " + message
                + "\n" + "!".repeat(100) + "\n");
        Assumptions.abort(message);
    }

    Browser(int width, int height) throws IOException {
        this(width, height, Map.of());
    }

    Browser(int width, int height, Map<String, Object> prefs) throws IOException {
        profile = Files.createTempDirectory("inbox-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // without the background-networking flags the closed network here refuses many connections
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--window-size=" + width + "," + height,
                "--lang=en-US");
        if (!prefs.isEmpty()) {
            options.setExperimentalOption("prefs", prefs);
        }
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(60));
        // the viewport, not the window, is what the layout sees (headless windows have a minimum width)
        driver.executeCdpCommand("Emulation.setDeviceMetricsOverride", Map.of("width", width, "height", height,
                "deviceScaleFactor", 1, "mobile", width < 768));
    }

    void open(String url) {
        driver.get(url);
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** Elements with this role (explicit or the HTML element's own) whose accessible name is {@code name}. */
    List<WebElement> all(String role, String name) {
        return candidates(role).stream().filter(e -> {
            try {
                return name == null || name.equals(e.getAccessibleName());
            } catch (StaleElementReferenceException gone) {
                return false;
            }
        }).toList();
    }

    Optional<WebElement> find(String role, String name) {
        return all(role, name).stream().findFirst();
    }

    /** Replaces a text field's value the way typing does (input events; clear() sends none). */
    static void retype(WebElement field, String text) {
        field.sendKeys(org.openqa.selenium.Keys.chord(org.openqa.selenium.Keys.CONTROL, "a"), org.openqa.selenium.Keys.DELETE);
        field.sendKeys(text);
    }

    /** Waits for the element with this role and name. */
    WebElement role(String role, String name) {
        return until(() -> find(role, name).orElse(null), role + " \"" + name + "\"");
    }

    /** A conversation in the list: an option whose name (its whole row) starts with the contact's name. */
    WebElement option(String contact) {
        return roleStartingWith("option", contact + " ");
    }

    boolean hasOption(String contact) {
        return candidates("option").stream().anyMatch(e -> {
            try {
                return e.getAccessibleName().startsWith(contact + " ");
            } catch (StaleElementReferenceException gone) {
                return false;
            }
        });
    }

    /** An element of this role whose accessible name starts with {@code prefix}. */
    WebElement roleStartingWith(String role, String prefix) {
        return until(() -> candidates(role).stream().filter(e -> {
            try {
                return e.getAccessibleName().startsWith(prefix);
            } catch (StaleElementReferenceException gone) {
                return false;
            }
        }).findFirst().orElse(null), role + " starting with \"" + prefix + "\"");
    }

    private List<WebElement> candidates(String role) {
        String css = switch (role) {
            case "button" -> "button, [role=button]";
            case "textbox" -> "input:not([type]), input[type=text], input[type=search], input[type=tel], textarea, [role=textbox]";
            case "radio" -> "input[type=radio], [role=radio]";
            case "combobox" -> "select, [role=combobox]";
            case "separator" -> "hr, [role=separator]";
            case "list" -> "ul, ol, [role=list]";
            default -> "[role=" + role + "]";
        };
        return driver.findElements(By.cssSelector(css));
    }

    <T> T until(Supplier<T> probe, String what) {
        return until(probe, what, WAIT);
    }

    <T> T until(Supplier<T> probe, String what, Duration timeout) {
        try {
            return new WebDriverWait(driver, timeout, Duration.ofMillis(50)).ignoring(StaleElementReferenceException.class)
                    .withMessage(() -> "waiting for " + what).until(d -> {
                        T value = probe.get();
                        return value instanceof Boolean b ? (b ? value : null) : value;
                    });
        } catch (RuntimeException e) {
            shot("failure-" + what.replaceAll("[^A-Za-z0-9]+", "-"));
            throw e;
        }
    }

    /** Writes target/inbox-screenshots/{name}.png and returns it. */
    Path shot(String name) {
        try {
            Files.createDirectories(SHOTS);
            File file = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
            Path target = SHOTS.resolve(name + ".png");
            Files.copy(file.toPath(), target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (IOException | RuntimeException e) {
            System.err.println("screenshot " + name + " failed: " + e);
            return null;
        }
    }

    /** Sandbox sign-in through the form: textbox "Name", a role radio, button "Sign in". */
    Browser signIn(String base, String name, String role) {
        open(base);
        role("textbox", "Name").sendKeys(name);
        role("radio", role).click();
        role("button", "Sign in").click();
        role("listbox", "Conversations");
        until(() -> find("status", null).isEmpty(), "connected (no connection banner)");
        return this;
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } catch (RuntimeException ignored) {
            // the browser is gone already
        }
        try (var walk = Files.walk(profile)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir
        }
    }
}
