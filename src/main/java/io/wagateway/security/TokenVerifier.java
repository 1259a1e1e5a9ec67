package io.wagateway.security;

import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Verifies a JWT (RS256 signature, issuer, expiry, tenant claim) for a WebSocket upgrade and for
 * {@code authenticate}. A token verified once is remembered for a few minutes (never past its
 * {@code exp}): when a replica goes away, its clients all reconnect at once with the tokens they
 * already had, and the signature check is most of an upgrade's cost.
 */
@ApplicationScoped
public class TokenVerifier {

    /** How long a verified token is taken on trust; a rotated key takes effect after this at the latest. */
    private static final Duration REMEMBERED = Duration.ofMinutes(5);
    private static final int MAX_REMEMBERED = 10_000;

    private final JWTParser parser;
    private final ConcurrentMap<String, Verified> verified = new ConcurrentHashMap<>();

    private record Verified(ClientIdentity identity, Instant until) {}

    public TokenVerifier(JWTParser parser) {
        this.parser = parser;
    }

    /** @throws ParseException when the token is not valid (signature, issuer, expiry, shape) */
    public ClientIdentity verify(String token) throws ParseException {
        Instant now = Instant.now();
        Verified known = verified.get(token);
        if (known != null && known.until().isAfter(now)) {
            return known.identity();
        }
        ClientIdentity identity = ClientIdentity.of(parser.parse(token));
        if (identity == null) {
            throw new ParseException("the token has no tenant claim");
        }
        if (!identity.expiresAt().isAfter(now)) {
            // the parser allows clock skew past exp; a connection would be closed with 4001 at once
            throw new ParseException("the token has expired");
        }
        if (verified.size() >= MAX_REMEMBERED) {
            verified.clear(); // bounded: a cache miss only costs a verification
        }
        Instant until = now.plus(REMEMBERED);
        verified.put(token, new Verified(identity, identity.expiresAt().isBefore(until) ? identity.expiresAt() : until));
        return identity;
    }
}
