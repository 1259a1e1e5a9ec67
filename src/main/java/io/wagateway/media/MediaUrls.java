package io.wagateway.media;

import io.wagateway.config.AppConfig;
import io.wagateway.security.HmacSha256;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.UUID;

/**
 * The signed, short-lived {@code media.url} (PROTOCOL.md 6.4): {@code /api/media/{id}?sig=<expiry>.<mac>},
 * the MAC an HMAC-SHA256 over tenant, media id and expiry (unix seconds) with
 * {@code app.media.url-secret}. What an {@code <img src>} carries instead of a JWT; scoped to one media
 * of one tenant, and signed afresh whenever a message is read or pushed.
 */
@ApplicationScoped
public class MediaUrls {

    private static final Logger LOG = Logger.getLogger(MediaUrls.class);

    public enum Check { VALID, EXPIRED, FORGED }

    private final byte[] secret;
    private final Duration ttl;
    private final Clock clock;

    @Inject
    public MediaUrls(AppConfig config) {
        this(secret(config), config.media().urlTtl(), Clock.systemUTC());
    }

    MediaUrls(byte[] secret, Duration ttl, Clock clock) {
        this.secret = secret;
        this.ttl = ttl;
        this.clock = clock;
    }

    /** The gateway-relative URL of the media, valid for {@code app.media.url-ttl} from now. */
    public String url(String tenant, String mediaId) {
        long expiry = clock.instant().plus(ttl).getEpochSecond();
        return "/api/media/" + mediaId + "?sig=" + sign(tenant, mediaId, expiry);
    }

    String sign(String tenant, String mediaId, long expiry) {
        return expiry + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(mac(tenant, mediaId, expiry));
    }

    /** Whether {@code sig} was signed by this gateway for this media of this tenant, and is still valid. */
    public Check check(String tenant, UUID mediaId, String sig) {
        int dot = sig.indexOf('.');
        if (dot <= 0) {
            return Check.FORGED;
        }
        long expiry;
        byte[] given;
        try {
            expiry = Long.parseLong(sig.substring(0, dot));
            given = Base64.getUrlDecoder().decode(sig.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            return Check.FORGED;
        }
        if (!MessageDigest.isEqual(given, mac(tenant, mediaId.toString(), expiry))) {
            return Check.FORGED;
        }
        return expiry < clock.instant().getEpochSecond() ? Check.EXPIRED : Check.VALID;
    }

    private byte[] mac(String tenant, String mediaId, long expiry) {
        // length-prefixed, so that no tenant/id split can be shifted to forge another
        return HmacSha256.sign(secret, (tenant.length() + ":" + tenant + "|" + mediaId + "|" + expiry)
                .getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] secret(AppConfig config) {
        return config.media().urlSecret().map(s -> {
            if (s.length() < 32) {
                throw new IllegalStateException("app.media.url-secret must be at least 32 characters");
            }
            return s.getBytes(StandardCharsets.UTF_8);
        }).orElseGet(() -> {
            LOG.warn("app.media.url-secret is not set: media URLs are signed with a random key of this process, "
                    + "so a URL signed by one replica is refused (403) by the others; set it for several replicas");
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            return random;
        });
    }
}
