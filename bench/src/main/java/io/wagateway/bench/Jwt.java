package io.wagateway.bench;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * RS256 JWTs signed with the service's development key, built by hand with java.security so the
 * harness needs no JWT library: base64url(header) "." base64url(claims) "." base64url(signature).
 */
final class Jwt {

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrivateKey key;
    private final String issuer;
    private final String tenant;

    Jwt(Path pkcs8Pem, String issuer, String tenant) throws Exception {
        this.key = readKey(pkcs8Pem);
        this.issuer = issuer;
        this.tenant = tenant;
    }

    /** A token of an agent of the tenant, valid for three hours (longer than any run). */
    String agentToken(String userId) throws Exception {
        long now = System.currentTimeMillis() / 1000;
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", issuer);
        claims.put("sub", userId);
        claims.put("groups", List.of("agent"));
        claims.put("tenant", tenant);
        claims.put("iat", now);
        claims.put("exp", now + 3 * 3600);
        String signingInput = B64.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8))
                + "." + B64.encodeToString(JSON.writeValueAsBytes(claims));
        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initSign(key);
        rsa.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + B64.encodeToString(rsa.sign());
    }

    private static PrivateKey readKey(Path pem) throws Exception {
        String text = Files.readString(pem, StandardCharsets.US_ASCII);
        if (!text.contains("BEGIN PRIVATE KEY")) {
            throw new IllegalArgumentException(pem + " is not a PKCS#8 PEM key (-----BEGIN PRIVATE KEY-----)");
        }
        String base64 = text.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
    }
}
