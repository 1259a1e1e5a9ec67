package io.wagateway.sandbox;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.wagateway.whatsapp.MediaDownload;
import io.wagateway.whatsapp.MetaError;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * The sandbox's media host: what the simulated customer sends (a generated PNG, a short Ogg/Opus
 * voice note, a one-page PDF: real, valid files, made here so that no binary sits in the repository)
 * and what agents upload, served like the Graph API's media endpoints ({@code GET /{media-id}} gives
 * a URL, the URL gives the bytes). Uploads are kept in a temporary directory of this process.
 */
@ApplicationScoped
public class SandboxMedia {

    static final String URL_PREFIX = "sandbox://media/";

    /** A stored sample: its bytes in memory (generated) or a file (uploaded). */
    record Item(String mimeType, byte[] bytes, Path file, String sha256Base64, long size) {}

    private final Map<String, Item> items = new ConcurrentHashMap<>();
    private volatile Path uploads;

    @PreDestroy
    void cleanUp() {
        Path dir = uploads;
        if (dir != null) {
            items.values().stream().filter(i -> i.file() != null).forEach(i -> i.file().toFile().delete());
            dir.toFile().delete();
        }
    }

    /** A generated sample of the type; returns its media id, as a webhook would carry it. */
    String generated(String type, String mimeType, byte[] bytes) {
        String id = "sandbox-media-" + type + "-" + UUID.randomUUID();
        items.put(id, new Item(mimeType, bytes, null, Base64.getEncoder().encodeToString(sha256(bytes)), bytes.length));
        return id;
    }

    Item item(String id) {
        return items.get(id);
    }

    Uni<com.fasterxml.jackson.databind.JsonNode> info(com.fasterxml.jackson.databind.ObjectMapper json, String id) {
        Item item = items.get(id);
        if (item == null) {
            return Uni.createFrom().failure(new MetaError(400, 100, "(#100) Invalid media id", "unknown media " + id));
        }
        return Uni.createFrom().item(json.createObjectNode().put("messaging_product", "whatsapp")
                .put("url", URL_PREFIX + id).put("mime_type", item.mimeType()).put("sha256", item.sha256Base64())
                .put("file_size", item.size()).put("id", id));
    }

    Uni<MediaDownload> download(String url, Path into) {
        Item item = url.startsWith(URL_PREFIX) ? items.get(url.substring(URL_PREFIX.length())) : null;
        if (item == null) {
            return Uni.createFrom().failure(new MetaError(404, 0, "Graph API answered HTTP 404", null));
        }
        return Uni.createFrom().item(() -> {
            try (OutputStream out = Files.newOutputStream(into);
                 DigestOutputStream digest = new DigestOutputStream(out, digest())) {
                if (item.bytes() != null) {
                    digest.write(item.bytes());
                } else {
                    try (InputStream in = Files.newInputStream(item.file())) {
                        in.transferTo(digest);
                    }
                }
                digest.flush();
                return new MediaDownload(item.size(), HexFormat.of().formatHex(digest.getMessageDigest().digest()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    /** An agent's upload, kept as a copy (the request's temporary file is deleted after the request). */
    Uni<String> upload(Path file, String mimeType) {
        return Uni.createFrom().item(() -> {
            try {
                Path dir = uploadsDir();
                String id = "sandbox-upload-" + UUID.randomUUID();
                Path copy = dir.resolve(id);
                Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING);
                MessageDigest digest = digest();
                try (InputStream in = Files.newInputStream(copy)) {
                    byte[] buffer = new byte[64 * 1024];
                    for (int n; (n = in.read(buffer)) > 0; ) {
                        digest.update(buffer, 0, n);
                    }
                }
                items.put(id, new Item(mimeType, null, copy, Base64.getEncoder().encodeToString(digest.digest()),
                        Files.size(copy)));
                return id;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    private synchronized Path uploadsDir() throws IOException {
        if (uploads == null) {
            uploads = Files.createTempDirectory("wagateway-sandbox-media-");
        }
        return uploads;
    }

    // ---- the generated samples ----

    /** A 48x32 PNG: a colour gradient, so that a thumbnail visibly shows something. */
    static byte[] png() {
        int width = 48;
        int height = 32;
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        for (int y = 0; y < height; y++) {
            raw.write(0); // filter: none
            for (int x = 0; x < width; x++) {
                raw.write(37 + x * 4);
                raw.write(99 + y * 4);
                raw.write(211 - x * 2);
            }
        }
        Deflater deflater = new Deflater();
        deflater.setInput(raw.toByteArray());
        deflater.finish();
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        while (!deflater.finished()) {
            compressed.write(buffer, 0, deflater.deflate(buffer));
        }
        deflater.end();
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        header.writeBytes(beInt(width));
        header.writeBytes(beInt(height));
        header.writeBytes(new byte[] {8, 2, 0, 0, 0}); // 8-bit RGB, deflate, no filter, no interlace
        pngChunk(png, "IHDR", header.toByteArray());
        pngChunk(png, "IDAT", compressed.toByteArray());
        pngChunk(png, "IEND", new byte[0]);
        return png.toByteArray();
    }

    private static void pngChunk(ByteArrayOutputStream png, String type, byte[] data) {
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        png.writeBytes(beInt(data.length));
        png.writeBytes(name);
        png.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(data);
        png.writeBytes(beInt((int) crc.getValue()));
    }

    /**
     * One second of Ogg/Opus (RFC 7845): the identification and comment headers, then 50 packets of
     * 20 ms that each hold only a TOC byte (CELT, full band, mono), which decoders play as silence.
     */
    static byte[] oggOpus() {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        head.writeBytes("OpusHead".getBytes(StandardCharsets.US_ASCII));
        head.write(1); // version
        head.write(1); // channels
        head.writeBytes(leShort(312)); // pre-skip
        head.writeBytes(leInt(48000)); // input sample rate
        head.writeBytes(leShort(0)); // output gain
        head.write(0); // channel mapping family
        ByteArrayOutputStream tags = new ByteArrayOutputStream();
        byte[] vendor = "wagateway sandbox".getBytes(StandardCharsets.US_ASCII);
        tags.writeBytes("OpusTags".getBytes(StandardCharsets.US_ASCII));
        tags.writeBytes(leInt(vendor.length));
        tags.writeBytes(vendor);
        tags.writeBytes(leInt(0)); // no user comments
        int serial = 0x5A6A7B8C;
        ByteArrayOutputStream ogg = new ByteArrayOutputStream();
        oggPage(ogg, 0x02, 0, serial, 0, new byte[][] {head.toByteArray()});
        oggPage(ogg, 0x00, 0, serial, 1, new byte[][] {tags.toByteArray()});
        byte[][] packets = new byte[50][];
        for (int i = 0; i < packets.length; i++) {
            packets[i] = new byte[] {(byte) 0xF8};
        }
        oggPage(ogg, 0x04, 312 + 48000L, serial, 2, packets);
        return ogg.toByteArray();
    }

    private static void oggPage(ByteArrayOutputStream out, int flags, long granule, int serial, int sequence,
                                byte[][] packets) {
        ByteArrayOutputStream page = new ByteArrayOutputStream();
        page.writeBytes("OggS".getBytes(StandardCharsets.US_ASCII));
        page.write(0); // version
        page.write(flags);
        for (int i = 0; i < 8; i++) {
            page.write((int) (granule >>> (8 * i)) & 0xFF);
        }
        page.writeBytes(leInt(serial));
        page.writeBytes(leInt(sequence));
        page.writeBytes(leInt(0)); // CRC, filled in below
        ByteArrayOutputStream lacing = new ByteArrayOutputStream();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (byte[] packet : packets) {
            int left = packet.length;
            while (left >= 255) {
                lacing.write(255);
                left -= 255;
            }
            lacing.write(left);
            body.writeBytes(packet);
        }
        page.write(lacing.size());
        page.writeBytes(lacing.toByteArray());
        page.writeBytes(body.toByteArray());
        byte[] bytes = page.toByteArray();
        int crc = oggCrc(bytes);
        bytes[22] = (byte) crc;
        bytes[23] = (byte) (crc >>> 8);
        bytes[24] = (byte) (crc >>> 16);
        bytes[25] = (byte) (crc >>> 24);
        out.writeBytes(bytes);
    }

    /** Ogg's CRC-32: polynomial 0x04C11DB7, not reflected, initial value 0, no final XOR. */
    static int oggCrc(byte[] bytes) {
        int crc = 0;
        for (byte b : bytes) {
            crc ^= (b & 0xFF) << 24;
            for (int i = 0; i < 8; i++) {
                crc = (crc & 0x80000000) != 0 ? (crc << 1) ^ 0x04C11DB7 : crc << 1;
            }
        }
        return crc;
    }

    /** A one-page PDF that says what it is, with a correct cross-reference table. */
    static byte[] pdf(String text) {
        String safe = text.replaceAll("[()\\\\]", "");
        String content = "BT /F1 18 Tf 30 70 Td (" + safe + ") Tj ET";
        String[] objects = {
                "<< /Type /Catalog /Pages 2 0 R >>",
                "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 320 144] /Contents 4 0 R "
                        + "/Resources << /Font << /F1 5 0 R >> >> >>",
                "<< /Length " + content.length() + " >>\nstream\n" + content + "\nendstream",
                "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"};
        StringBuilder pdf = new StringBuilder("%PDF-1.4\n");
        int[] offsets = new int[objects.length];
        for (int i = 0; i < objects.length; i++) {
            offsets[i] = pdf.length();
            pdf.append(i + 1).append(" 0 obj\n").append(objects[i]).append("\nendobj\n");
        }
        int xref = pdf.length();
        pdf.append("xref\n0 ").append(objects.length + 1).append("\n0000000000 65535 f \n");
        for (int offset : offsets) {
            pdf.append(String.format("%010d 00000 n \n", offset));
        }
        pdf.append("trailer\n<< /Size ").append(objects.length + 1).append(" /Root 1 0 R >>\nstartxref\n")
                .append(xref).append("\n%%EOF\n");
        return pdf.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] beInt(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    private static byte[] leInt(int v) {
        return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
    }

    private static byte[] leShort(int v) {
        return new byte[] {(byte) v, (byte) (v >>> 8)};
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] sha256(byte[] bytes) {
        return digest().digest(bytes);
    }
}
