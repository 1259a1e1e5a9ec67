package io.wagateway.security;

import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import jakarta.enterprise.context.ApplicationScoped;

/** Verifies a JWT sent in-band ({@code authenticate}) with the same key and issuer as the upgrade. */
@ApplicationScoped
public class TokenVerifier {

    private final JWTParser parser;

    public TokenVerifier(JWTParser parser) {
        this.parser = parser;
    }

    /** @throws ParseException when the token is not valid (signature, issuer, expiry, shape) */
    public ClientIdentity verify(String token) throws ParseException {
        ClientIdentity identity = ClientIdentity.of(parser.parse(token));
        if (identity == null) {
            throw new ParseException("the token has no tenant claim");
        }
        return identity;
    }
}
