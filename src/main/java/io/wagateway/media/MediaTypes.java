package io.wagateway.media;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What a file is, from its first bytes (magic numbers; the client's Content-Type and file name are
 * only trusted to tell apart the document formats that share a container, such as the Office ones),
 * and Meta's limits for each WhatsApp media type (reference: whatsapp-cloud-api.md section 6). A
 * few clear lines, not a MIME library: WhatsApp accepts a dozen formats.
 */
public final class MediaTypes {

    /** Bytes {@link #sniff} looks at. */
    public static final int HEAD = 64;

    static final long MB = 1024L * 1024L;
    static final long KB = 1024L;

    /** The document formats WhatsApp takes, by the client's declared type or the file's extension. */
    private static final Map<String, String> DOCUMENTS = Map.ofEntries(
            Map.entry("pdf", "application/pdf"),
            Map.entry("txt", "text/plain"),
            Map.entry("doc", "application/msword"),
            Map.entry("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            Map.entry("xls", "application/vnd.ms-excel"),
            Map.entry("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            Map.entry("ppt", "application/vnd.ms-powerpoint"),
            Map.entry("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"));

    private static final Set<String> IMAGE = Set.of("image/jpeg", "image/png");
    private static final Set<String> AUDIO = Set.of("audio/aac", "audio/amr", "audio/mpeg", "audio/mp4", "audio/ogg");
    private static final Set<String> VIDEO = Set.of("video/mp4", "video/3gpp");

    private MediaTypes() {
    }

    /** A sniffed file: its MIME type (null when not recognised) and, for WebP, whether it is animated. */
    public record Sniffed(String mimeType, boolean animated) {}

    /**
     * @param head     the file's first {@link #HEAD} bytes (fewer for a shorter file)
     * @param declared the client's Content-Type, or null
     * @param filename the client's file name, or null
     */
    public static Sniffed sniff(byte[] head, String declared, String filename) {
        if (starts(head, 0, 0xFF, 0xD8, 0xFF)) {
            return plain("image/jpeg");
        }
        if (starts(head, 0, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
            return plain("image/png");
        }
        if (ascii(head, 0, "RIFF") && ascii(head, 8, "WEBP")) {
            // VP8X (extended) carries the animation flag (bit 1 of its flags byte)
            boolean animated = ascii(head, 12, "VP8X") && head.length > 20 && (head[20] & 0x02) != 0;
            return new Sniffed("image/webp", animated);
        }
        if (ascii(head, 0, "GIF8")) {
            return plain("image/gif"); // recognised, so that the refusal can name it
        }
        if (ascii(head, 0, "%PDF-")) {
            return plain("application/pdf");
        }
        if (ascii(head, 0, "OggS")) {
            return plain("audio/ogg");
        }
        if (ascii(head, 0, "#!AMR")) {
            return plain("audio/amr");
        }
        if (ascii(head, 0, "ID3") || (head.length > 1 && (head[0] & 0xFF) == 0xFF && (head[1] & 0xE6) == 0xE2)) {
            return plain("audio/mpeg"); // an ID3 tag, or an MPEG audio frame sync (layer III or II)
        }
        if (head.length > 1 && (head[0] & 0xFF) == 0xFF && (head[1] & 0xF6) == 0xF0) {
            return plain("audio/aac"); // ADTS
        }
        if (ascii(head, 4, "ftyp")) {
            String brand = head.length >= 12 ? new String(head, 8, 4, StandardCharsets.US_ASCII) : "";
            if (brand.startsWith("3gp") || brand.startsWith("3g2")) {
                return plain("video/3gpp");
            }
            if (brand.startsWith("M4A") || brand.startsWith("M4B")) {
                return plain("audio/mp4");
            }
            return plain("video/mp4");
        }
        if (ascii(head, 0, "PK\u0003\u0004") || starts(head, 0, 0xD0, 0xCF, 0x11, 0xE0)) {
            // ZIP (docx, xlsx, pptx) or OLE2 (doc, xls, ppt): the container says document, the name says which
            String office = declaredDocument(declared, filename);
            return plain(office != null ? office : ascii(head, 0, "PK") ? "application/zip" : "application/x-ole-storage");
        }
        if (ascii(head, 0, "<") || ascii(head, 0, "\uFEFF<")) {
            return plain(null); // markup (HTML, SVG, XML): never sent as text
        }
        if (isText(head) && "text/plain".equals(declaredDocument(declared, filename))) {
            return plain("text/plain");
        }
        return plain(null);
    }

    /** The WhatsApp media type a MIME type goes as when the client names none; null when none fits. */
    public static String typeOf(Sniffed sniffed) {
        String mime = sniffed.mimeType();
        if (mime == null) {
            return null;
        }
        if (IMAGE.contains(mime)) {
            return "image";
        }
        if ("image/webp".equals(mime)) {
            return "sticker";
        }
        if (AUDIO.contains(mime)) {
            return "audio";
        }
        if (VIDEO.contains(mime)) {
            return "video";
        }
        return DOCUMENTS.containsValue(mime) ? "document" : null;
    }

    /** Whether Meta takes this MIME type as this WhatsApp media type. */
    public static boolean accepts(String type, Sniffed sniffed) {
        String mime = sniffed.mimeType();
        if (mime == null) {
            return false;
        }
        return switch (type) {
            case "image" -> IMAGE.contains(mime);
            case "audio" -> AUDIO.contains(mime);
            case "video" -> VIDEO.contains(mime);
            case "sticker" -> "image/webp".equals(mime);
            // any of the document formats, and anything WhatsApp shows as a file (images, audio, video too)
            case "document" -> DOCUMENTS.containsValue(mime) || IMAGE.contains(mime) || AUDIO.contains(mime)
                    || VIDEO.contains(mime);
            default -> false;
        };
    }

    /** Meta's size limit in bytes for the type (a sticker's depends on whether it is animated). */
    public static long limit(String type, Sniffed sniffed) {
        return switch (type) {
            case "image" -> 5 * MB;
            case "audio", "video" -> 16 * MB;
            case "sticker" -> sniffed.animated() ? 500 * KB : 100 * KB;
            default -> 100 * MB;
        };
    }

    public static boolean isMediaType(String type) {
        return Set.of("image", "audio", "video", "document", "sticker").contains(type);
    }

    /** Shown inline (an {@code <img>}, {@code <audio>}, {@code <video>}): plain raster images, audio and video. */
    public static boolean inline(String mimeType) {
        if (mimeType == null) {
            return false;
        }
        String m = mimeType.toLowerCase(Locale.ROOT);
        return Set.of("image/jpeg", "image/png", "image/webp", "image/gif").contains(m)
                || (m.startsWith("audio/") || m.startsWith("video/")) && !m.contains("xml");
    }

    /** An extension for a file name that has none, from the MIME type. */
    static String extension(String mimeType) {
        if (mimeType == null) {
            return "bin";
        }
        return switch (mimeType) {
            case "image/jpeg" -> "jpg";
            case "image/png" -> "png";
            case "image/webp" -> "webp";
            case "audio/ogg" -> "ogg";
            case "audio/mpeg" -> "mp3";
            case "audio/mp4" -> "m4a";
            case "audio/aac" -> "aac";
            case "audio/amr" -> "amr";
            case "video/mp4" -> "mp4";
            case "video/3gpp" -> "3gp";
            default -> DOCUMENTS.entrySet().stream().filter(e -> e.getValue().equals(mimeType)).map(Map.Entry::getKey)
                    .findFirst().orElse("bin");
        };
    }

    private static String declaredDocument(String declared, String filename) {
        if (filename != null && filename.lastIndexOf('.') > 0) {
            String ext = filename.substring(filename.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
            if (DOCUMENTS.containsKey(ext)) {
                return DOCUMENTS.get(ext);
            }
        }
        if (declared != null) {
            String base = declared.split(";")[0].trim().toLowerCase(Locale.ROOT);
            if (DOCUMENTS.containsValue(base)) {
                return base;
            }
        }
        return null;
    }

    private static boolean isText(byte[] head) {
        if (head.length == 0) {
            return false;
        }
        for (byte b : head) {
            int c = b & 0xFF;
            if (c < 0x09 || (c > 0x0D && c < 0x20 && c != 0x1B)) {
                return false;
            }
        }
        return true;
    }

    private static Sniffed plain(String mime) {
        return new Sniffed(mime, false);
    }

    private static boolean starts(byte[] head, int at, int... bytes) {
        if (head.length < at + bytes.length) {
            return false;
        }
        for (int i = 0; i < bytes.length; i++) {
            if ((head[at + i] & 0xFF) != bytes[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean ascii(byte[] head, int at, String text) {
        byte[] expected = text.getBytes(StandardCharsets.UTF_8);
        return head.length >= at + expected.length
                && Arrays.equals(head, at, at + expected.length, expected, 0, expected.length);
    }
}
