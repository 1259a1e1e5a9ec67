package io.wagateway.api;

import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Completes the generated OpenAPI document with what annotations would repeat on every method: the
 * {@code Problem} schema (RFC 9457 with the protocol's {@code code}) and the error responses each
 * operation under {@code /api/} can give, so that a generated client knows the error shape.
 */
public class OpenApiProblems implements OASFilter {

    private static final String REF = "#/components/schemas/Problem";

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        openAPI.getComponents().addSchema("Problem", problemSchema());
        if (openAPI.getPaths() == null || openAPI.getPaths().getPathItems() == null) {
            return;
        }
        openAPI.getPaths().getPathItems().forEach((path, item) -> {
            if (!path.startsWith("/api/") || path.startsWith("/api/sandbox/")) {
                return;
            }
            item.getOperations().forEach((method, operation) -> addErrors(path, method, operation));
        });
    }

    private static void addErrors(String path, PathItem.HttpMethod method, Operation operation) {
        Map<String, String> errors = new LinkedHashMap<>();
        errors.put("400", "Invalid parameters or body (`bad_request`, with `errors: [{field, message}]`)");
        errors.put("401", "No token, or one that is not valid (`unauthorized`)");
        errors.put("403", "The token lacks the role, or the request a permission (`forbidden`)");
        errors.put("404", "Not found, or another tenant's (`not_found`)");
        if (path.equals("/api/v1/messages") && method == PathItem.HttpMethod.POST) {
            errors.put("422", "Outside the 24-hour customer service window: only a template can go (`outside_window`)");
        }
        if (path.startsWith("/api/v1/numbers/")) {
            errors.put("502", "Meta refused the call (`whatsapp_error`, with `metaCode` and `details`)");
            errors.put("503", "Meta's reads are failing for now (`unavailable`)");
        }
        if (path.equals("/api/admin/agents") && method == PathItem.HttpMethod.POST) {
            errors.put("409", "The agent exists already (`conflict`)");
        }
        errors.put("500", "Internal error (`internal`)");
        errors.forEach((status, description) -> {
            if (operation.getResponses() != null && !operation.getResponses().hasAPIResponse(status)) {
                operation.getResponses().addAPIResponse(status, problem(description));
            }
        });
    }

    private static APIResponse problem(String description) {
        return OASFactory.createAPIResponse().description(description)
                .content(OASFactory.createContent().addMediaType(Problem.MEDIA_TYPE,
                        OASFactory.createMediaType().schema(OASFactory.createSchema().ref(REF))));
    }

    private static Schema problemSchema() {
        Schema string = OASFactory.createSchema().addType(Schema.SchemaType.STRING);
        Schema fieldError = OASFactory.createSchema().addType(Schema.SchemaType.OBJECT)
                .addProperty("field", OASFactory.createSchema().addType(Schema.SchemaType.STRING)
                        .description("the query parameter, header or body path, e.g. `media.link`"))
                .addProperty("message", string);
        return OASFactory.createSchema().addType(Schema.SchemaType.OBJECT)
                .description("An error as application/problem+json (RFC 9457) with the protocol's error code")
                .addProperty("type", OASFactory.createSchema().addType(Schema.SchemaType.STRING).example("about:blank"))
                .addProperty("title", string)
                .addProperty("status", OASFactory.createSchema().addType(Schema.SchemaType.INTEGER))
                .addProperty("detail", string)
                .addProperty("code", OASFactory.createSchema().addType(Schema.SchemaType.STRING)
                        .enumeration(List.<Object>of("bad_request", "unauthorized", "forbidden", "not_found", "conflict",
                                "outside_window", "rate_limited", "whatsapp_error", "unavailable", "internal")))
                .addProperty("errors", OASFactory.createSchema().addType(Schema.SchemaType.ARRAY).items(fieldError))
                .addProperty("metaCode", OASFactory.createSchema().addType(Schema.SchemaType.INTEGER))
                .addProperty("details", string)
                .addRequired("type").addRequired("title").addRequired("status").addRequired("code")
                .example(Map.of("type", "about:blank", "title", "Unprocessable Content", "status", 422,
                        "detail", "the customer has not written in the last 24 hours: only templates can be sent",
                        "code", "outside_window"));
    }
}
