package io.wagateway.inbox;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
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
 * Media in the inbox page (PROTOCOL.md 6.4) in real headless Chromium against the packaged service in
 * sandbox mode: an agent sends an image with a caption and a document from the page (the upload goes
 * through {@code POST /api/media}, the thread shows them from the gateway's signed URLs); a file over
 * Meta's limit is refused in the page before any upload; a paste and a drop attach a file; the
 * simulated customer sends an image, a document and an audio, which come as a pending media and
 * become the media with {@code message_updated}; the lightbox opens and closes by keyboard; axe-core
 * finds no serious violation on a thread full of media.
 */
class InboxMediaBrowserIT {

    static SandboxApp sandbox;
    static String base;
    static Path files;
    static final List<Browser> browsers = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        Browser.requireChromium();
        sandbox = SandboxApp.start("inbox-media", Map.of());
        base = sandbox.base().toString();
        files = Files.createTempDirectory("inbox-media");
    }

    @AfterAll
    static void stop() throws Exception {
        browsers.forEach(Browser::close);
        if (sandbox != null) {
            sandbox.close();
        }
        if (files != null) {
            try (var walk = Files.walk(files)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    static Browser browser() throws Exception {
        Browser b = new Browser(1280, 800);
        browsers.add(b);
        return b;
    }

    @Test
    void anAgentSendsAnImageAndADocumentFromThePage() throws Exception {
        sandbox.inbound("+15550007001", "Mia Media", "Can you send me the photo and the invoice?");
        Browser b = browser().signIn(base, "Max Media", "Agent");
        b.option("Mia Media").click();
        WebElement log = b.role("log", "Messages");
        b.until(() -> log.getText().contains("the photo and the invoice"), "the customer's message");

        // over Meta's limit for an image (5 MB): refused in the page, nothing uploaded
        Path huge = files.resolve("huge.png");
        byte[] big = new byte[6 * 1024 * 1024];
        System.arraycopy(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, 0, big, 0, 8);
        Files.write(huge, big);
        fileInput(b).sendKeys(huge.toString());
        WebElement alert = b.until(() -> b.find("alert", null).orElse(null), "the refusal");
        assertEquals("huge.png is too large: WhatsApp takes an image up to 5 MB. Send it as a document (up to 100 MB), "
                + "or make it smaller.", alert.getText());
        assertFalse(b.role("button", "Send file").isEnabled(), "nothing to send");
        b.shot("30-media-too-large");
        b.role("button", "Cancel").click();
        b.until(() -> b.find("group", "Attachment").isEmpty(), "the attachment gone");
        assertEquals(0L, b.js("return performance.getEntriesByType('resource')"
                + ".filter(e => e.name.includes('/api/media')).length"), "no upload was tried");

        // an image with a caption, through the Attach button's file input
        Path photo = files.resolve("parcel.png");
        ImageIO.write(image(64, 48, new Color(0, 115, 94)), "png", photo.toFile());
        fileInput(b).sendKeys(photo.toString());
        b.role("group", "Attachment");
        b.role("textbox", "Caption").sendKeys("The parcel at the door");
        b.shot("31-media-attached");
        b.role("button", "Send file").click();
        // the thumbnail comes from the gateway's signed URL once the gateway's message is there
        WebElement img = b.until(() -> loaded(b, "[role=log] .msg.out img[alt='The parcel at the door']", "/api/media/"),
                "the sent image, loaded from /api/media", Duration.ofSeconds(30));
        assertEquals(64L, b.js("return arguments[0].naturalWidth", img));
        b.until(() -> statusOf(b, img).equals("Read"), "the image read", Duration.ofSeconds(20));

        // the lightbox: the thumbnail is a button; Esc closes it and the focus goes back to the thumbnail
        WebElement thumb = b.role("button", "Open photo: The parcel at the door");
        thumb.sendKeys(Keys.ENTER);
        WebElement dialog = b.role("dialog", "Photo");
        b.until(() -> loaded(b, "[role=dialog] .lightbox img", "/api/media/"), "the photo at full size");
        assertTrue(dialog.getText().contains("The parcel at the door"), dialog.getText());
        b.shot("32-media-lightbox");
        new Actions(b.driver).sendKeys(Keys.ESCAPE).perform();
        b.until(() -> b.find("dialog", "Photo").isEmpty(), "the lightbox closed");
        assertEquals("Open photo: The parcel at the door", b.driver.switchTo().activeElement().getAccessibleName());

        // a document: a chip with its name and size that downloads the file from the gateway
        Path pdf = files.resolve("invoice-4711.pdf");
        Files.write(pdf, pdf("Invoice 4711"));
        fileInput(b).sendKeys(pdf.toString());
        b.role("textbox", "Caption").sendKeys("Your invoice");
        b.role("button", "Send file").click();
        WebElement chip = b.until(() -> b.driver.findElements(By.cssSelector("[role=log] .msg.out a.doc")).stream()
                .filter(a -> String.valueOf(a.getAttribute("href")).contains("/api/media/")).findFirst().orElse(null),
                "the document chip with the gateway's URL", Duration.ofSeconds(30));
        assertTrue(chip.getAccessibleName().startsWith("Download invoice-4711.pdf"), chip.getAccessibleName());
        assertTrue(chip.getText().contains("invoice-4711.pdf") && chip.getText().contains("PDF"), chip.getText());
        assertEquals("invoice-4711.pdf", chip.getAttribute("download"));
        Map<String, Object> got = fetch(b, chip.getAttribute("href"));
        assertEquals(200L, got.get("status"), got.toString());
        assertEquals("application/pdf", String.valueOf(got.get("type")).split(";")[0], got.toString());
        assertEquals((long) Files.size(pdf), got.get("size"), got.toString());
        assertTrue(log.getText().contains("Your invoice"), log.getText());
        b.shot("33-media-sent");

        // a paste and a drop attach a file too (made in the page: a canvas PNG, a PDF)
        b.js("""
                const c = document.createElement('canvas'); c.width = 8; c.height = 8;
                c.getContext('2d').fillRect(0, 0, 8, 8);
                c.toBlob(blob => {
                  const dt = new DataTransfer();
                  dt.items.add(new File([blob], 'pasted.png', {type: 'image/png'}));
                  document.querySelector('textarea[aria-label=Message]').dispatchEvent(
                    new ClipboardEvent('paste', {clipboardData: dt, bubbles: true, cancelable: true}));
                }, 'image/png');
                """);
        b.until(() -> b.find("group", "Attachment").map(g -> g.getText().contains("pasted.png")).orElse(false), "the pasted image");
        b.role("button", "Cancel").click();
        b.js("""
                const dt = new DataTransfer();
                dt.items.add(new File(['%PDF-1.4 dropped'], 'dropped.pdf', {type: 'application/pdf'}));
                const thread = document.querySelector('.thread');
                thread.dispatchEvent(new DragEvent('dragover', {dataTransfer: dt, bubbles: true, cancelable: true}));
                thread.dispatchEvent(new DragEvent('drop', {dataTransfer: dt, bubbles: true, cancelable: true}));
                """);
        b.until(() -> b.find("group", "Attachment").map(g -> g.getText().contains("dropped.pdf")).orElse(false), "the dropped PDF");
        b.role("button", "Cancel").click();

        Axe.assertNoSeriousViolations(b, "thread with sent media");
    }

    @Test
    void theCustomersMediaArrivesPendingAndBecomesTheMedia() throws Exception {
        sandbox.inbound("+15550007002", "Nico Sender", "I will send you some files");
        Browser b = browser().signIn(base, "Ria Receiver", "Agent");
        b.option("Nico Sender").click();
        WebElement log = b.role("log", "Messages");
        b.until(() -> log.getText().contains("I will send you some files"), "the customer's text");
        // what the page gets: the message with its media pending, then message_updated with it available
        b.js("""
                window.__media = [];
                const c = window.__inbox.client;
                for (const e of ['new_message', 'message_updated'])
                  c.on(e, m => m.media && window.__media.push(e + ':' + m.type + ':' + m.media.status));
                window.__states = [];
                new MutationObserver(() => document.querySelectorAll('[role=log] .msg.in [data-media-state]').forEach(el => {
                  const s = el.closest('.msg').dataset.messageId + ':' + el.dataset.mediaState;
                  if (!window.__states.includes(s)) window.__states.push(s);
                })).observe(document.querySelector('[role=log]'), {subtree: true, childList: true, attributes: true});
                """);

        sandbox.inboundMedia("+15550007002", "Nico Sender", "image", "My receipt", null);
        WebElement img = b.until(() -> loaded(b, "[role=log] .msg.in img[alt='My receipt']", "/api/media/"),
                "the customer's image, loaded from /api/media", Duration.ofSeconds(30));
        assertTrue((Long) b.js("return arguments[0].naturalWidth", img) > 0);
        b.until(() -> b.option("Nico Sender").getText().contains("My receipt"), "the list's preview of the image");

        sandbox.inboundMedia("+15550007002", "Nico Sender", "document", null, "statement.pdf");
        WebElement chip = b.until(() -> b.driver.findElements(By.cssSelector("[role=log] .msg.in a.doc")).stream()
                .filter(a -> String.valueOf(a.getAttribute("href")).contains("/api/media/")).findFirst().orElse(null),
                "the customer's document", Duration.ofSeconds(30));
        assertTrue(chip.getAccessibleName().startsWith("Download statement.pdf"), chip.getAccessibleName());
        Map<String, Object> got = fetch(b, chip.getAttribute("href"));
        assertEquals(200L, got.get("status"), got.toString());
        assertEquals("application/pdf", String.valueOf(got.get("type")).split(";")[0], got.toString());
        assertTrue((Long) got.get("size") > 0, got.toString());

        sandbox.inboundMedia("+15550007002", "Nico Sender", "audio", null, null);
        WebElement audio = b.until(() -> b.driver.findElements(By.cssSelector("[role=log] .msg.in audio")).stream()
                .filter(a -> String.valueOf(a.getAttribute("src")).contains("/api/media/")).findFirst().orElse(null),
                "the customer's audio player", Duration.ofSeconds(30));
        Map<String, Object> sound = fetch(b, audio.getAttribute("src"));
        assertEquals(200L, sound.get("status"), sound.toString());
        assertTrue(String.valueOf(sound.get("type")).startsWith("audio/"), sound.toString());

        @SuppressWarnings("unchecked")
        List<String> events = (List<String>) b.js("return window.__media");
        for (String type : List.of("image", "document", "audio")) {
            assertTrue(events.indexOf("new_message:" + type + ":pending") >= 0
                    && events.indexOf("new_message:" + type + ":pending") < events.indexOf("message_updated:" + type + ":available"),
                    "the " + type + " pending first, then available: " + events);
        }
        System.out.println("inbox media states seen in the thread: " + b.js("return window.__states"));
        b.shot("34-media-received");
        Axe.assertNoSeriousViolations(b, "thread with received media");
    }

    static WebElement fileInput(Browser b) {
        return b.driver.findElement(By.cssSelector("input[type=file][aria-label='File to attach']"));
    }

    /** The first image matching {@code css} whose src has {@code srcPart} and that finished loading, or null. */
    static WebElement loaded(Browser b, String css, String srcPart) {
        return b.driver.findElements(By.cssSelector(css)).stream()
                .filter(e -> String.valueOf(e.getAttribute("src")).contains(srcPart)
                        && Boolean.TRUE.equals(b.js("return arguments[0].complete && arguments[0].naturalWidth > 0", e)))
                .findFirst().orElse(null);
    }

    /** The status icon's label of the message that holds {@code inside}. */
    static String statusOf(Browser b, WebElement inside) {
        Object label = b.js("const i = arguments[0].closest('.msg').querySelector('.meta [role=img]');"
                + "return i ? i.getAttribute('aria-label') : ''", inside);
        return String.valueOf(label);
    }

    /** GET of a media URL from the page (the signed URL alone, no token): status, Content-Type, bytes. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> fetch(Browser b, String url) {
        return (Map<String, Object>) b.driver.executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                fetch(arguments[0]).then(r => r.arrayBuffer().then(buf => done({status: r.status,
                  type: r.headers.get('content-type'), size: buf.byteLength,
                  disposition: r.headers.get('content-disposition')}))).catch(e => done({status: -1, error: String(e)}));
                """, url);
    }

    static BufferedImage image(int width, int height, Color color) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(color);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.WHITE);
        g.fillOval(width / 4, height / 4, width / 2, height / 2);
        g.dispose();
        return image;
    }

    /** A small valid one-page PDF with {@code text}. */
    static byte[] pdf(String text) {
        String content = "BT /F1 24 Tf 72 720 Td (" + text + ") Tj ET";
        List<String> objects = List.of(
                "<< /Type /Catalog /Pages 2 0 R >>",
                "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
                "<< /Length " + content.length() + " >>\nstream\n" + content + "\nendstream",
                "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
        StringBuilder out = new StringBuilder("%PDF-1.4\n");
        List<Integer> offsets = new ArrayList<>();
        for (int i = 0; i < objects.size(); i++) {
            offsets.add(out.length());
            out.append(i + 1).append(" 0 obj\n").append(objects.get(i)).append("\nendobj\n");
        }
        int xref = out.length();
        out.append("xref\n0 ").append(objects.size() + 1).append("\n0000000000 65535 f \n");
        offsets.forEach(o -> out.append(String.format("%010d 00000 n \n", o)));
        out.append("trailer\n<< /Size ").append(objects.size() + 1).append(" /Root 1 0 R >>\nstartxref\n").append(xref)
                .append("\n%%EOF\n");
        return out.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
