package io.wagateway.inbox;

import io.wagateway.support.CuttableProxy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.Select;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The inbox page in real headless Chromium against the packaged service in sandbox mode, found by
 * role and accessible name as a person with a screen reader would: two agents and a supervisor, a
 * customer simulated through the page, replies with their ticks, typing, assignment, a cut
 * connection, the 24-hour window, the mobile layout, the dark theme, and axe-core's accessibility
 * rules. Screenshots of each state go to target/inbox-screenshots.
 */
class InboxBrowserIT {

    static SandboxApp sandbox;
    static String base;
    static final List<Browser> browsers = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        Browser.requireChromium();
        sandbox = SandboxApp.start("inbox", Map.of());
        base = sandbox.base().toString();
    }

    @AfterAll
    static void stop() throws Exception {
        browsers.forEach(Browser::close);
        if (sandbox != null) {
            sandbox.close();
        }
    }

    static Browser browser(int width, int height) throws Exception {
        Browser b = new Browser(width, height);
        browsers.add(b);
        return b;
    }

    @Test
    void twoAgentsAndASupervisorWorkOneConversationLive() throws Exception {
        Browser alice = browser(1280, 800);
        alice.open(base);
        alice.role("textbox", "Name").sendKeys("Alice Agent");
        alice.shot("01-sign-in");
        alice.role("button", "Sign in").click();
        alice.role("listbox", "Conversations");
        Browser bob = browser(1280, 800).signIn(base, "Bob Agent", "Agent");
        Browser sue = browser(1280, 800).signIn(base, "Sue Supervisor", "Supervisor");

        // a customer writes, through the page's own "Simulate customer" panel
        alice.driver.findElement(org.openqa.selenium.By.cssSelector("details.simulate summary")).click();
        Browser.retype(alice.role("textbox", "Customer number"), "+15557654321");
        Browser.retype(alice.role("textbox", "Customer name"), "Carla Customer");
        alice.role("textbox", "Customer message").sendKeys("Hi, where is my order?");
        alice.role("button", "Send as customer").click();

        // it appears in every list (unassigned: in the default view of every role), unread
        for (Browser b : List.of(alice, bob, sue)) {
            b.option("Carla Customer");
        }
        assertTrue(bob.option("Carla Customer").getText().contains("Hi, where is my order?"));
        bob.until(() -> bob.driver.getTitle().startsWith("(1) "), "the unread count in the title");
        alice.shot("02-new-conversation");

        // Alice opens it and answers; the tick goes Pending, Sent, Delivered, Read
        alice.option("Carla Customer").click();
        WebElement log = alice.role("log", "Messages");
        alice.until(() -> log.getText().contains("Hi, where is my order?"), "the customer's message in the thread");
        alice.js("""
                window.__ticks = [];
                const record = () => {
                  const icons = document.querySelectorAll('[role=log] .msg.out [role=img]');
                  const label = icons.length ? icons[icons.length - 1].getAttribute('aria-label') : null;
                  if (label && window.__ticks[window.__ticks.length - 1] !== label) window.__ticks.push(label);
                };
                new MutationObserver(record).observe(document.querySelector('[role=log]'),
                  {subtree: true, childList: true, attributes: true, attributeFilter: ['aria-label']});
                """);
        WebElement composer = alice.role("textbox", "Message");
        composer.sendKeys("On its way!");
        composer.sendKeys(Keys.chord(Keys.SHIFT, Keys.ENTER));
        composer.sendKeys("It left the warehouse this morning.");
        composer.sendKeys(Keys.ENTER);
        alice.until(() -> alice.find("img", "Read").isPresent(), "the reply read", Duration.ofSeconds(15));
        @SuppressWarnings("unchecked")
        List<String> ticks = (List<String>) alice.js("return window.__ticks");
        assertEquals(List.of("Pending", "Sent", "Delivered", "Read"), ticks, "the reply's status icons in turn");
        assertTrue(log.getText().contains("On its way!\nIt left the warehouse this morning."), log.getText());
        assertEquals("", composer.getAttribute("value"), "Enter sent and cleared the composer");
        alice.shot("03-reply-read");

        // Bob opens it too and sees Alice typing (the indicator is debounced and stops by itself)
        bob.option("Carla Customer").click();
        bob.until(() -> bob.role("log", "Messages").getText().contains("On its way!"), "Alice's reply at Bob's");
        alice.role("textbox", "Message").sendKeys("Let me check the tracking number");
        bob.until(() -> bob.driver.findElement(org.openqa.selenium.By.cssSelector(".thread-sub")).getText()
                .contains("Alice Agent is typing"), "Alice typing, at Bob's");
        bob.shot("04-typing");
        bob.until(() -> !bob.driver.findElement(org.openqa.selenium.By.cssSelector(".thread-sub")).getText()
                .contains("typing"), "typing stopped after the pause", Duration.ofSeconds(15));

        // the supervisor assigns it to Bob; Bob gets a toast
        sue.option("Carla Customer").click();
        new Select(sue.role("combobox", "Assignee")).selectByVisibleText("Bob Agent");
        WebElement toast = bob.until(() -> bob.driver.findElements(org.openqa.selenium.By.cssSelector(".toast")).stream()
                .filter(t -> t.getText().contains("Carla Customer was assigned to you by Sue Supervisor")).findFirst()
                .orElse(null), "the assignment toast at Bob's");
        assertTrue(toast.isDisplayed());
        bob.shot("05-assigned-toast");
        alice.until(() -> alice.option("Carla Customer").getText().contains("Assigned to Bob Agent"),
                "the new assignee in Alice's list");

        // Mine at Bob's now shows it; Unassigned does not
        bob.role("button", "Mine").click();
        bob.option("Carla Customer");
        bob.role("button", "Unassigned").click();
        bob.until(() -> !bob.hasOption("Carla Customer"), "not among the unassigned");
        bob.role("button", "All").click();

        // a second customer: Take is one click for an agent
        sandbox.inbound("+15557654000", "Dev Null", "Is anyone there?");
        alice.option("Dev Null").click();
        alice.role("button", "Take").click();
        alice.until(() -> alice.option("Dev Null").getText().contains("Assigned to You"), "taken");
        assertTrue(alice.find("button", "Take").isEmpty(), "no Take on an assigned conversation");

        // close and reopen (update_conversation, PROTOCOL.md 6.2)
        alice.role("button", "Close").click();
        alice.until(() -> !alice.hasOption("Dev Null"), "closed: gone from Open");
        alice.role("button", "Closed").click();
        alice.until(() -> alice.option("Dev Null").getText().contains("closed"), "among the closed");
        alice.option("Dev Null").click();
        alice.role("button", "Reopen").click();
        alice.until(() -> !alice.hasOption("Dev Null"), "reopened: gone from Closed");
        alice.role("button", "Open").click();
        alice.option("Dev Null");
        // a closed conversation that gets a message is open again (PROTOCOL.md 6.2)
        alice.role("button", "Close").click();
        alice.until(() -> !alice.hasOption("Dev Null"), "closed again");
        sandbox.inbound("+15557654000", "Dev Null", "Hello again");
        alice.until(() -> alice.hasOption("Dev Null"), "reopened by the customer's message");

        // the accessibility rules on a busy page, light theme
        Axe.assertNoSeriousViolations(alice, "inbox, light");
    }

    @Test
    void messagesThatArriveWhileTheConnectionIsCutAppearOnceAfterItIsBack() throws Exception {
        try (CuttableProxy proxy = new CuttableProxy(sandbox.port())) {
            String viaProxy = "http://127.0.0.1:" + proxy.port() + "/";
            Browser cora = browser(1280, 800).signIn(viaProxy, "Cora Agent", "Agent");
            sandbox.inbound("+15550002222", "Eve Early", "before the cut");
            cora.option("Eve Early").click();
            WebElement log = cora.role("log", "Messages");
            cora.until(() -> log.getText().contains("before the cut"), "the first message");

            proxy.cut();
            WebElement banner = cora.role("status", null);
            cora.until(() -> banner.getText().contains("Reconnecting"), "the reconnecting banner");
            cora.shot("06-reconnecting");
            for (int i = 1; i <= 3; i++) {
                sandbox.inbound("+15550002222", "Eve Early", "while cut " + i);
            }
            sandbox.inbound("+15550003333", "Finn Fresh", "a new customer while cut");
            Thread.sleep(1500);
            proxy.restore();

            cora.until(() -> cora.find("status", null).isEmpty(), "the banner gone", Duration.ofSeconds(45));
            cora.until(() -> log.getText().contains("while cut 3"), "the messages of the gap", Duration.ofSeconds(20));
            cora.option("Finn Fresh");
            Thread.sleep(1000); // anything doubled would be there by now
            String text = log.getText();
            for (String m : List.of("before the cut", "while cut 1", "while cut 2", "while cut 3")) {
                assertEquals(1, count(text, m), m + " once in: " + text);
            }
            assertTrue(text.indexOf("while cut 1") < text.indexOf("while cut 2")
                    && text.indexOf("while cut 2") < text.indexOf("while cut 3"), "in order: " + text);
            cora.shot("07-back-after-cut");
        }
    }

    @Test
    void outsideTheWindowTheComposerSaysSoAndOffersTemplates() throws Exception {
        sandbox.inbound("+15550004444", "Gus Gone", "I wrote two days ago");
        sandbox.closeWindow("15550004444");
        Browser dana = browser(1280, 800).signIn(base, "Dana Agent", "Agent");
        dana.option("Gus Gone").click();
        dana.until(() -> dana.driver.getPageSource().contains("24-hour window is closed"), "the window note");
        // a text anyway: the gateway refuses it (outside_window) and the bubble says so, with Retry
        WebElement composer = dana.role("textbox", "Message");
        composer.sendKeys("Are you still there?");
        composer.sendKeys(Keys.ENTER);
        dana.role("img", "Failed");
        dana.role("button", "Retry");
        dana.role("button", "Choose a template").click();
        WebElement dialog = dana.role("dialog", "Templates");
        dana.until(() -> !dialog.getText().contains("Loading"), "the templates answer");
        dana.shot("08-outside-window-templates");
        // get_templates (PROTOCOL.md 6.3): the sandbox number's approved templates; one with a parameter
        dana.role("list", "Approved templates");
        dana.driver.findElements(org.openqa.selenium.By.cssSelector("button.template")).stream()
                .filter(b -> b.getText().contains("order_update")).findFirst().orElseThrow().click();
        dana.role("textbox", "Parameter 1").sendKeys("Gus");
        dana.until(() -> dialog.getText().contains("Hi Gus, your order has shipped"), "the filled-in preview");
        dana.shot("08b-template-parameters");
        dana.role("button", "Send template").click();
        WebElement log = dana.role("log", "Messages");
        dana.until(() -> log.getText().contains("order_update"), "the template in the thread");
        dana.until(() -> icons(dana, "Read") == 1, "the template read", Duration.ofSeconds(15));
        assertEquals(1, icons(dana, "Failed"), "the refused text stays failed, the template went out");
    }

    @Test
    void aPhoneSizedWindowGetsOneColumnAndTheDarkThemeFollowsTheToggle() throws Exception {
        sandbox.inbound("+15550005555", "Hana Handy", "Hello from my phone");
        Browser phone = browser(390, 844).signIn(base, "Mo Mobile", "Agent");
        WebElement list = phone.role("listbox", "Conversations");
        phone.option("Hana Handy");
        assertTrue(list.isDisplayed());
        phone.shot("09-mobile-list");
        phone.option("Hana Handy").click();
        WebElement log = phone.role("log", "Messages");
        phone.until(() -> log.getText().contains("Hello from my phone"), "the thread");
        assertFalse(list.isDisplayed(), "one column: the list is hidden while a thread is open");
        phone.role("textbox", "Message").sendKeys("Hi Hana! How can I help?" + Keys.ENTER);
        phone.role("img", "Read");
        phone.shot("10-mobile-thread");
        phone.role("button", "Back to conversations").click();
        phone.until(list::isDisplayed, "the list again");

        WebElement toggle = phone.role("button", "Dark theme");
        assertEquals("false", toggle.getAttribute("aria-pressed"));
        toggle.click();
        phone.until(() -> "dark".equals(phone.js("return document.documentElement.dataset.theme")), "the dark theme");
        assertEquals("true", toggle.getAttribute("aria-pressed"));
        phone.option("Hana Handy").click();
        phone.until(() -> phone.role("log", "Messages").isDisplayed(), "the thread");
        String bg = (String) phone.js("return getComputedStyle(document.querySelector('.log')).backgroundColor");
        assertEquals("rgb(11, 20, 26)", bg, "the dark chat background");
        phone.shot("11-mobile-dark");
        Axe.assertNoSeriousViolations(phone, "thread, dark, mobile");
    }

    @Test
    void theThemeFollowsTheSystemAndTheWidePageIsAccessibleInTheDark() throws Exception {
        Browser night = browser(1280, 800);
        night.driver.executeCdpCommand("Emulation.setEmulatedMedia",
                Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", "dark"))));
        night.open(base);
        night.role("textbox", "Name");
        assertEquals("dark", night.js("return document.documentElement.dataset.theme"));
        Axe.assertNoSeriousViolations(night, "sign-in, dark");
        night.signIn(base, "Nia Night", "Admin");
        sandbox.inbound("+15550006666", "Ivo Owl", "Still awake?");
        night.option("Ivo Owl").click();
        night.until(() -> night.role("log", "Messages").getText().contains("Still awake?"), "the thread");
        night.role("combobox", "Assignee");
        Path shot = night.shot("12-dark-supervisor");
        assertTrue(shot != null && Files.size(shot) > 10_000);
        Axe.assertNoSeriousViolations(night, "inbox, dark");
        // the shortcuts: '?' lists them, Esc closes, '/' goes to the search
        night.role("log", "Messages").click();
        new Actions(night.driver).sendKeys("?").perform();
        night.role("dialog", "Keyboard shortcuts");
        new Actions(night.driver).sendKeys(Keys.ESCAPE).perform();
        night.until(() -> night.find("dialog", "Keyboard shortcuts").isEmpty(), "the dialog closed");
        // the number's QR code, drawn in the page from get_qr_code's deepLinkUrl
        night.role("button", "QR code").click();
        WebElement qr = night.roleStartingWith("img", "QR code for https://wa.me/message/");
        assertTrue(qr.getSize().getWidth() >= 200, "a QR code of a readable size");
        night.shot("13-qr-code");
        night.role("button", "Close dialog").click();
        night.until(() -> night.find("dialog", "QR code").isEmpty(), "the QR dialog closed");
        night.role("log", "Messages").click();
        new Actions(night.driver).sendKeys("/").perform();
        assertEquals("Search conversations", night.driver.switchTo().activeElement().getAccessibleName());
    }

    /** Status icons with this label in the thread. */
    static int icons(Browser b, String label) {
        return b.driver.findElements(org.openqa.selenium.By.cssSelector("[role=log] [role=img][aria-label='" + label + "']")).size();
    }

    static boolean toast(Browser b, String text) {
        return b.driver.findElements(org.openqa.selenium.By.cssSelector(".toast")).stream()
                .anyMatch(t -> t.getText().contains(text));
    }

    static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
