package io.wagateway.support;

import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Set;

/** Mints JWTs for tests: good ones signed with the development key, and every kind of bad one. */
public final class TestTokens {

    public static final String ISSUER = "https://wa-gateway.dev/issuer";

    private TestTokens() {
    }

    public static String agent(String tenant, String user) {
        return token(tenant, user, "agent");
    }

    public static String supervisor(String tenant, String user) {
        return token(tenant, user, "supervisor");
    }

    public static String admin(String tenant, String user) {
        return token(tenant, user, "admin");
    }

    public static String token(String tenant, String user, String... roles) {
        return claims(tenant, user, roles).sign();
    }

    public static String expiringIn(Duration ttl, String tenant, String user) {
        return claims(tenant, user, "agent").expiresAt(Instant.now().plus(ttl)).sign();
    }

    public static String expired(String tenant, String user) {
        return claims(tenant, user, "agent").issuedAt(Instant.now().minusSeconds(7200))
                .expiresAt(Instant.now().minusSeconds(3600)).sign();
    }

    public static String wrongIssuer(String tenant, String user) {
        return claims(tenant, user, "agent").issuer("https://evil.example").sign();
    }

    public static String noTenant(String user) {
        return Jwt.issuer(ISSUER).subject(user).groups(Set.of("agent")).expiresIn(Duration.ofMinutes(10)).sign();
    }

    /** Well formed, but signed with a key the server has never seen. */
    public static String foreignKey(String tenant, String user) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            KeyPair pair = generator.generateKeyPair();
            return claims(tenant, user, "agent").sign(pair.getPrivate());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An unsigned token: {@code alg: none}. */
    public static String algNone(String tenant, String user) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        long exp = Instant.now().plusSeconds(600).getEpochSecond();
        String payload = b64.encodeToString(("{\"iss\":\"" + ISSUER + "\",\"sub\":\"" + user + "\",\"tenant\":\""
                + tenant + "\",\"groups\":[\"agent\"],\"exp\":" + exp + "}").getBytes(StandardCharsets.UTF_8));
        return header + "." + payload + ".";
    }

    private static JwtClaimsBuilder claims(String tenant, String user, String... roles) {
        return Jwt.issuer(ISSUER).subject(user).upn(user).groups(Set.of(roles)).claim("tenant", tenant)
                .claim("name", "Agent " + user).expiresIn(Duration.ofMinutes(10));
    }
}
