package io.wagateway.gateway;

import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.mutiny.Uni;
import io.wagateway.config.JsonText;
import io.wagateway.fanout.ResumeService;
import io.wagateway.metrics.GatewayMetrics;
import io.wagateway.protocol.ClientEvent.Authenticate;
import io.wagateway.protocol.ClientEvent.Ping;
import io.wagateway.protocol.ClientEvent.Resume;
import io.wagateway.protocol.ErrorCode;
import io.wagateway.protocol.ServerFrame;
import io.wagateway.protocol.Views;
import io.wagateway.security.ClientIdentity;
import io.wagateway.security.TokenVerifier;
import jakarta.enterprise.context.ApplicationScoped;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.time.Instant;
import java.util.Map;

/** The connection itself: a fresh token ({@code authenticate}), {@code resume} after a reconnect, {@code ping}. */
@ApplicationScoped
class SessionRequests implements ClientRequests {

    private final TokenVerifier tokens;
    private final SessionTimers timers;
    private final ResumeService resume;
    private final GatewayMetrics metrics;
    private final ObjectMapper json;

    SessionRequests(TokenVerifier tokens, SessionTimers timers, ResumeService resume, GatewayMetrics metrics,
                    ObjectMapper json) {
        this.tokens = tokens;
        this.timers = timers;
        this.resume = resume;
        this.metrics = metrics;
        this.json = json;
    }

    @Override
    public void register(Routes routes) {
        routes.on("authenticate", Authenticate.class, "authenticated",
                        (session, r, answer) -> Uni.createFrom().item(authenticate(session, r.token(), answer)))
                .on("resume", Resume.class, "resumed", this::resume)
                .on("ping", Ping.class, "pong",
                        (session, r, answer) -> Uni.createFrom().item(answer.with(new Views.Pong(Instant.now()))));
    }

    /** Refreshes the identity of a live connection; the tenant and user cannot change. */
    private ServerFrame authenticate(ClientSession session, String token, Answer answer) {
        ClientIdentity fresh;
        try {
            fresh = tokens.verify(token);
        } catch (ParseException e) {
            return authError(answer, "token is not valid");
        }
        ClientIdentity current = session.identity();
        if (!fresh.tenant().equals(current.tenant()) || !fresh.userId().equals(current.userId())) {
            return authError(answer, "token is for another user or tenant");
        }
        if (!fresh.hasAnyRole()) {
            return authError(answer, "token has no agent, supervisor or admin role");
        }
        session.refresh(fresh);
        timers.scheduleExpiry(session);
        return answer.with(new Views.Authenticated(fresh.userId(), fresh.tenant(), fresh.expiresAt()));
    }

    private static ServerFrame authError(Answer answer, String message) {
        return new ServerFrame("auth_error", answer.requestId(), null, Map.of("success", false, "message", message,
                "error", new ServerFrame.ErrorBody(ErrorCode.UNAUTHORIZED, message)));
    }

    /** ResumeService sends the answer itself, between the replay and the held live events. */
    private Uni<ServerFrame> resume(ClientSession session, Resume r, Answer answer) {
        return resume.resume(session, r.lastSeq(), resumed -> {
                    metrics.eventOut(answer.event(), 1);
                    return JsonText.of(json, answer.with(Map.of("recovered", resumed.recovered(),
                            "replayed", resumed.replayed(), "lastSeq", resumed.lastSeq())));
                })
                .invoke(resumed -> metrics.resume(resumed.recovered() ? "recovered" : "not_recovered"))
                .onFailure().invoke(() -> metrics.resume("failed"))
                .replaceWith((ServerFrame) null);
    }
}
