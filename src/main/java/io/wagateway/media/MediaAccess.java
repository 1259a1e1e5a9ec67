package io.wagateway.media;

import io.wagateway.agent.AgentService;
import io.wagateway.protocol.ErrorCode;
import io.wagateway.security.ClientIdentity;
import io.wagateway.security.TokenVerifier;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Who may read a media, and what {@code GET /api/media/{id}} answers (PROTOCOL.md 6.4): a JWT of the
 * media's tenant, or a {@code sig} that this gateway signed for it; 401 with neither, 403 for a forged
 * or expired sig, 404 for an unknown id and for another tenant's media (so nothing leaks), 503 with
 * {@code Retry-After} while pending, 410 once unavailable, 416 for a range outside the file.
 */
@ApplicationScoped
public class MediaAccess {

    /** How soon a client asks again for media still being fetched. */
    static final int RETRY_AFTER_SECONDS = 2;

    /** An answer other than the bytes. */
    public static final class Refused extends RuntimeException {
        private final int status;
        private final ErrorCode code;
        private final Map<String, List<String>> headers;

        Refused(int status, ErrorCode code, String message, Map<String, List<String>> headers) {
            super(message, null, false, false);
            this.status = status;
            this.code = code;
            this.headers = headers;
        }

        Refused(int status, ErrorCode code, String message) {
            this(status, code, message, Map.of());
        }

        public int status() {
            return status;
        }

        public ErrorCode code() {
            return code;
        }

        public Map<String, List<String>> headers() {
            return headers;
        }
    }

    /** The bytes to send: the whole file, or one range of it (206). */
    public record Slice(long offset, long length, boolean partial) {}

    private final TokenVerifier tokens;
    private final AgentService agents;
    private final MediaUrls urls;

    public MediaAccess(TokenVerifier tokens, AgentService agents, MediaUrls urls) {
        this.tokens = tokens;
        this.agents = agents;
        this.urls = urls;
    }

    /**
     * Checks the credentials before anything is read: a request with neither a token nor a sig, or
     * with a bad token, is refused without a lookup.
     *
     * @return the caller's tenant when a JWT authorised the request; empty when a sig must be checked
     *         against the media's row
     */
    public Optional<String> caller(String authorization, String sig) {
        if (authorization != null && !authorization.isBlank()) {
            if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
                throw unauthorized();
            }
            ClientIdentity identity;
            try {
                identity = tokens.verify(authorization.substring(7).trim());
            } catch (Exception e) {
                throw unauthorized();
            }
            if (!identity.hasAnyRole() || agents.isDeactivated(identity.tenant(), identity.userId())) {
                throw new Refused(403, ErrorCode.FORBIDDEN, "the token has no role that may read media");
            }
            return Optional.of(identity.tenant());
        }
        if (sig == null || sig.isBlank()) {
            throw unauthorized();
        }
        return Optional.empty();
    }

    /** The media the caller may read, ready to be served; otherwise the refusal. */
    public MediaRow readable(MediaRow media, UUID id, Optional<String> callerTenant, String sig) {
        if (callerTenant.isPresent()) {
            if (media == null || !media.tenant().equals(callerTenant.get())) {
                throw new Refused(404, ErrorCode.NOT_FOUND, "media not found");
            }
        } else {
            if (media == null) {
                throw new Refused(404, ErrorCode.NOT_FOUND, "media not found");
            }
            MediaUrls.Check check = urls.check(media.tenant(), id, sig);
            if (check == MediaUrls.Check.FORGED) {
                throw new Refused(403, ErrorCode.FORBIDDEN, "the media signature is not valid");
            }
            if (check == MediaUrls.Check.EXPIRED) {
                throw new Refused(403, ErrorCode.FORBIDDEN, "the media signature has expired: read the message again");
            }
        }
        if (MediaRow.PENDING.equals(media.status())) {
            throw new Refused(503, ErrorCode.UNAVAILABLE, "the media is still being fetched from WhatsApp",
                    Map.of("Retry-After", List.of(Integer.toString(RETRY_AFTER_SECONDS))));
        }
        if (!MediaRow.AVAILABLE.equals(media.status())) {
            throw new Refused(410, ErrorCode.NOT_FOUND, "the media is no longer available");
        }
        return media;
    }

    /**
     * The part of the file a {@code Range} header asks for. One range is served; a header with several
     * (or that is not a byte range) is ignored and the whole file sent, as RFC 9110 allows.
     */
    public static Slice slice(String range, long size) {
        if (range == null || !range.trim().startsWith("bytes=") || range.contains(",")) {
            return new Slice(0, size, false);
        }
        String spec = range.trim().substring("bytes=".length()).trim();
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return new Slice(0, size, false);
        }
        try {
            String first = spec.substring(0, dash).trim();
            String last = spec.substring(dash + 1).trim();
            long start;
            long end;
            if (first.isEmpty()) { // the last n bytes
                long n = Long.parseLong(last);
                if (n <= 0) {
                    throw unsatisfiable(size);
                }
                start = Math.max(0, size - n);
                end = size - 1;
            } else {
                start = Long.parseLong(first);
                end = last.isEmpty() ? size - 1 : Math.min(Long.parseLong(last), size - 1);
                if (end < start && !last.isEmpty()) {
                    return new Slice(0, size, false); // invalid range: ignored
                }
            }
            if (start >= size) {
                throw unsatisfiable(size);
            }
            return new Slice(start, end - start + 1, true);
        } catch (NumberFormatException e) {
            return new Slice(0, size, false);
        }
    }

    private static Refused unsatisfiable(long size) {
        return new Refused(416, ErrorCode.BAD_REQUEST, "the range is outside the file",
                Map.of("Content-Range", List.of("bytes */" + size)));
    }

    private static Refused unauthorized() {
        return new Refused(401, ErrorCode.UNAUTHORIZED, "a bearer token or a signed media URL is required",
                Map.of("WWW-Authenticate", List.of("Bearer")));
    }
}
