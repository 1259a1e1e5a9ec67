package io.wagateway.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.quarkus.hibernate.validator.runtime.jaxrs.ResteasyReactiveViolationException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.vertx.pgclient.PgException;
import io.wagateway.protocol.ErrorCode;
import io.wagateway.protocol.ProtocolException;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Every failure of the JWT-authenticated HTTP API (everything under {@code /api/}) as
 * {@code application/problem+json} with the protocol's error code (PROTOCOL.md 6.7): the services'
 * refusals, Bean Validation, unreadable bodies, and the security checks of {@code @RolesAllowed}
 * (401 without a valid token, 403 without a role). A resource's own mapper (the phone-number admin
 * API's) still wins for its resource.
 */
public class ProblemMappers {

    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);
    /** invalid byte sequence: what PostgreSQL answers to a NUL in a text parameter */
    private static final String NUL_IN_TEXT = "22021";

    @ServerExceptionMapper
    public Response refused(ProtocolException e) {
        return Problem.of(e).response();
    }

    @ServerExceptionMapper
    public Response invalid(ResteasyReactiveViolationException e) {
        if (e.getConstraintViolations().stream().anyMatch(ProblemMappers::aboutTheAnswer)) {
            LOG.errorf("an answer broke its own constraints: %s", e.getMessage());
            return Problem.of(ErrorCode.INTERNAL, "internal error").response();
        }
        List<Problem.FieldError> errors = e.getConstraintViolations().stream()
                .map(v -> new Problem.FieldError(field(v), v.getMessage()))
                .sorted(Comparator.comparing(f -> String.valueOf(f.field())))
                .toList();
        return Problem.invalid(errors).response();
    }

    /** A body that is not JSON, or has a field of the wrong type: named by its path. */
    @ServerExceptionMapper(priority = 1)
    public Response unreadable(JsonProcessingException e) {
        if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            String field = mapping.getPath().stream()
                    .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                    .collect(Collectors.joining("."));
            return Problem.invalid(List.of(new Problem.FieldError(field, field + " has the wrong type"))).response();
        }
        return Problem.invalid(List.of(new Problem.FieldError(null, "the body is not valid JSON"))).response();
    }

    /** Named for itself: quarkus-rest-jackson has a mapper of its own for exactly this type. */
    @ServerExceptionMapper(priority = 1)
    public Response mistyped(MismatchedInputException e) {
        return unreadable(e);
    }

    @ServerExceptionMapper
    public Response unauthenticated(AuthenticationFailedException e) {
        return Problem.of(ErrorCode.UNAUTHORIZED, "the bearer token is missing or not valid").response();
    }

    @ServerExceptionMapper
    public Response unauthenticated(UnauthorizedException e) {
        return Problem.of(ErrorCode.UNAUTHORIZED, "the bearer token is missing or not valid").response();
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e) {
        return Problem.of(ErrorCode.FORBIDDEN, "the token has no role that may do this").response();
    }

    /**
     * JAX-RS' own refusals (unknown path under /api, wrong method, unsupported media type) in the same
     * shape; elsewhere (webhooks, the web build) the response JAX-RS made is left as it is.
     */
    @ServerExceptionMapper
    public Response http(WebApplicationException e, UriInfo uri) {
        Response original = e.getResponse();
        if (!uri.getPath().startsWith("/api/") || original.hasEntity()) {
            return original;
        }
        int status = original.getStatus();
        Problem generic = Problem.of(Problem.code(status), e.getMessage());
        return new Problem(generic.type(), generic.title(), status, e.getMessage(), generic.code(), generic.errors(),
                null, null).response();
    }

    /** PostgreSQL text cannot hold NUL; the WebSocket dispatcher refuses such frames before they run. */
    @ServerExceptionMapper
    public Response database(PgException e) {
        if (NUL_IN_TEXT.equals(e.getSqlState())) {
            return Problem.of(ErrorCode.BAD_REQUEST, "strings must not contain NUL characters").response();
        }
        return unexpected(e);
    }

    /** A bug or an outage, not an answer: logged, and 500 without details. */
    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        LOG.errorf(e, "request failed");
        return Problem.of(ErrorCode.INTERNAL, "internal error").response();
    }

    private static boolean aboutTheAnswer(ConstraintViolation<?> v) {
        for (Path.Node node : v.getPropertyPath()) {
            if (node.getKind() == ElementKind.RETURN_VALUE) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code send.request.media.caption} -> {@code media.caption}; a query parameter is named by its
     * parameter (the resources name them as the query does).
     */
    private static String field(ConstraintViolation<?> v) {
        List<String> after = new ArrayList<>();
        String parameter = null;
        for (Path.Node node : v.getPropertyPath()) {
            if (node.getKind() == ElementKind.PARAMETER) {
                parameter = node.getName();
                after.clear();
            } else if (parameter != null && node.getName() != null) {
                after.add(node.getName());
            }
        }
        if (parameter == null) {
            return v.getPropertyPath().toString();
        }
        return after.isEmpty() ? parameter : String.join(".", after);
    }
}
