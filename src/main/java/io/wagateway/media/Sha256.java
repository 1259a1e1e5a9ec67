package io.wagateway.media;

import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;

/** Meta's {@code sha256} of a media comes as hex or as base64 (PROTOCOL.md 6.4): both are accepted. */
final class Sha256 {

    private Sha256() {
    }

    /** @return the hash as lower-case hex, or null when {@code value} is neither a hex nor a base64 SHA-256 */
    static String hex(String value) {
        if (value == null) {
            return null;
        }
        String v = value.trim();
        if (v.length() == 64 && v.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            return v.toLowerCase(Locale.ROOT);
        }
        try {
            byte[] bytes = v.contains("-") || v.contains("_") ? Base64.getUrlDecoder().decode(v)
                    : Base64.getDecoder().decode(v);
            return bytes.length == 32 ? HexFormat.of().formatHex(bytes) : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * Whether the expected hash (hex or base64) is that of the bytes; none, or one in neither form,
     * leaves nothing to check.
     */
    static boolean matches(String expected, String actualHex) {
        if (expected == null || expected.isBlank()) {
            return true;
        }
        String hex = hex(expected);
        return hex == null || hex.equals(actualHex);
    }
}
