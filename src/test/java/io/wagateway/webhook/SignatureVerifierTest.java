package io.wagateway.webhook;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** X-Hub-Signature-256 over the raw bytes, with the published HMAC-SHA256 test vector. */
class SignatureVerifierTest {

    @Test
    void theHmacIsTheStandardOne() {
        // RFC 4231, test case 2
        byte[] mac = SignatureVerifier.sign("Jefe".getBytes(StandardCharsets.US_ASCII),
                "what do ya want for nothing?".getBytes(StandardCharsets.US_ASCII));
        assertEquals("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", HexFormat.of().formatHex(mac));
    }

    @Test
    void onlyTheExactBytesWithTheRightSecretPass() {
        byte[] body = "{\"entry\":[{\"text\":\"caf\\u00e9 \\/ ok\"}]}".getBytes(StandardCharsets.UTF_8);
        String header = "sha256=" + HexFormat.of().formatHex(SignatureVerifier.sign("s3cret".getBytes(StandardCharsets.UTF_8), body));
        SignatureVerifier verifier = new SignatureVerifier("s3cret");
        assertTrue(verifier.verify(body, header));
        assertTrue(verifier.verify(body, header.toUpperCase().replace("SHA256=", "sha256=")), "hex case does not matter");
        assertEquals(header, verifier.header(body));

        byte[] reserialized = "{\"entry\":[{\"text\":\"café / ok\"}]}".getBytes(StandardCharsets.UTF_8);
        assertFalse(verifier.verify(reserialized, header), "the same JSON written differently is not what Meta signed");
        assertFalse(new SignatureVerifier("other").verify(body, header));
        assertFalse(verifier.verify(body, header.replace("sha256=", "sha1=")));
        assertFalse(verifier.verify(body, "sha256=not-hex"));
        assertFalse(verifier.verify(body, "sha256=" + "00".repeat(32)));
        assertFalse(verifier.verify(body, null));
    }

    @Test
    void withoutASecretNothingPasses() {
        SignatureVerifier verifier = new SignatureVerifier((String) null);
        assertFalse(verifier.configured());
        assertFalse(verifier.verify("{}".getBytes(StandardCharsets.UTF_8), "sha256=" + "00".repeat(32)));
    }
}
