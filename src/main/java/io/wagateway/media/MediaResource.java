package io.wagateway.media;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.wagateway.api.Problem;
import io.wagateway.conversation.Ids;
import io.wagateway.api.Caller;
import io.wagateway.protocol.ProtocolException;
import io.wagateway.security.ClientIdentity;
import io.wagateway.security.Role;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestMulti;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * {@code GET /api/media/{mediaId}} (PROTOCOL.md 6.4): streams a media from the media store, a range
 * of it when asked; never Meta's URL or token. Authorised by the JWT or by the {@code sig} of the
 * message's {@code media.url} ({@link MediaAccess}). {@code POST /api/media}: an agent's upload
 * ({@link MediaUploads}).
 */
@Path("/api/media")
@Tag(name = "Media")
public class MediaResource {

    private final MediaCatalog catalog;
    private final MediaStores stores;
    private final MediaAccess access;
    private final ObjectMapper json;
    private final MediaUploads uploads;
    private final Caller caller;

    public MediaResource(MediaCatalog catalog, MediaStores stores, MediaAccess access, ObjectMapper json,
                         MediaUploads uploads, Caller caller) {
        this.catalog = catalog;
        this.stores = stores;
        this.access = access;
        this.json = json;
        this.uploads = uploads;
        this.caller = caller;
    }

    @POST
    @RolesAllowed({Role.AGENT, Role.SUPERVISOR, Role.ADMIN})
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Upload a media to send", description = "Multipart: file, optional type "
            + "(image|audio|video|document|sticker; without it the type follows from the bytes), optional phoneNumberId "
            + "(the tenant's default number otherwise). The type is sniffed from the bytes and Meta's limit for it checked "
            + "before anything is sent: 413 payload_too_large, 415 unsupported_media_type. Then uploaded to the Graph API "
            + "(POST /{phone-number-id}/media) and kept by the gateway; send_message takes the answer's mediaId as "
            + "media.id. An Ogg/Opus audio is sent as a voice message.")
    @APIResponse(responseCode = "201", description = "uploaded", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = MediaUploads.Uploaded.class)))
    @APIResponse(responseCode = "413", description = "over Meta's limit for the type (or over the server's body limit)")
    @APIResponse(responseCode = "415", description = "a type WhatsApp does not take (for the type named)")
    @APIResponse(responseCode = "502", description = "Meta refused the upload (whatsapp_error with metaCode, details)")
    public Uni<Response> upload(@RestForm("file") FileUpload file,
                                @RestForm("type") @Parameter(description = "image|audio|video|document|sticker") String type,
                                @RestForm("phoneNumberId") String phoneNumberId) {
        if (file == null || file.uploadedFile() == null) {
            throw ProtocolException.badField("file", "a multipart part named file is required");
        }
        ClientIdentity me = caller.identity();
        return uploads.upload(me, file.uploadedFile(), file.size(), file.contentType(), file.fileName(),
                        type == null || type.isBlank() ? null : type.trim(),
                        phoneNumberId == null || phoneNumberId.isBlank() ? null : phoneNumberId.trim())
                .map(uploaded -> Response.status(201).entity(uploaded).build());
    }

    /** What the stream answers: status, headers, body. */
    private record Answer(int status, Map<String, List<String>> headers, Multi<byte[]> body) {}

    @GET
    @Path("/{mediaId}")
    @PermitAll
    @Produces(MediaType.APPLICATION_OCTET_STREAM)
    @Operation(summary = "Download a media", description = "The bytes of an inbound or uploaded media with their "
            + "Content-Type, Content-Length and a safe Content-Disposition (attachment for anything that is not a plain "
            + "image, audio or video), X-Content-Type-Options: nosniff. One byte range (Range: bytes=...) answers 206. "
            + "Authorised by the bearer token or by the short-lived sig of the message's media.url (for <img src>). "
            + "503 with Retry-After while the media is fetched from WhatsApp, 410 once it is unavailable, 404 for "
            + "unknown media and for another tenant's.")
    @SecurityRequirement(name = "bearer")
    @APIResponse(responseCode = "200", description = "the media", content = @Content(mediaType = "*/*",
            schema = @Schema(type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.STRING,
                    format = "binary")))
    @APIResponse(responseCode = "206", description = "the requested range")
    @APIResponse(responseCode = "401", description = "neither a bearer token nor a sig")
    @APIResponse(responseCode = "403", description = "a forged or expired sig")
    @APIResponse(responseCode = "404", description = "unknown media, or another tenant's")
    @APIResponse(responseCode = "410", description = "the media is no longer available")
    @APIResponse(responseCode = "416", description = "the range is outside the file")
    @APIResponse(responseCode = "503", description = "the media is still being fetched; ask again after Retry-After")
    public RestMulti<byte[]> download(@PathParam("mediaId") String mediaId,
                                      @Parameter(description = "the signature of media.url") @QueryParam("sig") String sig,
                                      @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
                                      @HeaderParam("Range") String range) {
        Uni<Answer> answer = Uni.createFrom().deferred(() -> {
            Optional<String> tenant = access.caller(authorization, sig);
            Optional<UUID> id = Ids.parse(mediaId);
            if (id.isEmpty()) {
                throw new MediaAccess.Refused(404, io.wagateway.protocol.ErrorCode.NOT_FOUND, "media not found");
            }
            return catalog.find(id.get()).map(found -> serve(access.readable(found, id.get(), tenant, sig), range));
        }).onFailure(MediaAccess.Refused.class).recoverWithItem(f -> refusal((MediaAccess.Refused) f));
        return RestMulti.fromUniResponse(answer, Answer::body, Answer::headers, Answer::status);
    }

    private Answer serve(MediaRow media, String range) {
        long size = media.size() == null ? 0 : media.size();
        MediaAccess.Slice slice = MediaAccess.slice(range, size);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        String mime = media.mimeType() == null ? "application/octet-stream" : media.mimeType();
        boolean inline = MediaTypes.inline(mime);
        headers.put("Content-Type", List.of(inline || isDocument(mime) ? mime : "application/octet-stream"));
        headers.put("Content-Length", List.of(Long.toString(slice.length())));
        headers.put("Accept-Ranges", List.of("bytes"));
        headers.put("Content-Disposition", List.of(disposition(inline, filename(media))));
        headers.put("X-Content-Type-Options", List.of("nosniff"));
        headers.put("Cache-Control", List.of("private, max-age=3600"));
        // nothing in a media may run as part of the gateway's origin, whatever the browser makes of it
        headers.put("Content-Security-Policy", List.of("default-src 'none'; sandbox"));
        if (media.sha256() != null) {
            headers.put("ETag", List.of("\"" + media.sha256() + "\""));
        }
        if (slice.partial()) {
            headers.put("Content-Range", List.of("bytes " + slice.offset() + "-" + (slice.offset() + slice.length() - 1)
                    + "/" + size));
        }
        return new Answer(slice.partial() ? 206 : 200, headers,
                // byte[]: the provider every content type has (a Vert.x Buffer would be written as text here)
                stores.of(media).read(media, slice.offset(), slice.length()).map(Buffer::getBytes));
    }

    private Answer refusal(MediaAccess.Refused refused) {
        Map<String, List<String>> headers = new LinkedHashMap<>(refused.headers());
        headers.put("Content-Type", List.of(Problem.MEDIA_TYPE));
        headers.put("Cache-Control", List.of("no-store"));
        byte[] body;
        try {
            Problem problem = Problem.of(refused.code(), refused.getMessage());
            body = json.writeValueAsBytes(new Problem(problem.type(), title(refused.status()), refused.status(),
                    problem.detail(), refused.code(), problem.errors(), null, null));
        } catch (Exception e) {
            body = new byte[0];
        }
        return new Answer(refused.status(), headers, Multi.createFrom().item(body));
    }

    private static String title(int status) {
        jakarta.ws.rs.core.Response.Status known = jakarta.ws.rs.core.Response.Status.fromStatusCode(status);
        return known != null ? known.getReasonPhrase() : status == 416 ? "Range Not Satisfiable" : "Error";
    }

    private static boolean isDocument(String mime) {
        String m = mime.toLowerCase(Locale.ROOT);
        return m.equals("application/pdf") || m.startsWith("application/vnd.") || m.equals("application/msword")
                || m.equals("text/plain");
    }

    /** The stored name, or one made from the id and type; only safe characters either way. */
    static String filename(MediaRow media) {
        String name = media.filename();
        if (name == null || name.isBlank()) {
            name = media.id() + "." + MediaTypes.extension(media.mimeType() == null ? null
                    : media.mimeType().split(";")[0].trim());
        }
        String safe = name.replaceAll("[\\\\/]", "_").replaceAll("[^A-Za-z0-9._ -]", "_").replaceAll("^[.\\s]+", "");
        if (safe.length() > 120) {
            safe = safe.substring(safe.length() - 120);
        }
        return safe.isBlank() ? media.id().toString() : safe;
    }

    /** {@code filename=} ASCII-safe, plus RFC 5987's {@code filename*} with the original name encoded. */
    private static String disposition(boolean inline, String safe) {
        String encoded = java.net.URLEncoder.encode(safe, StandardCharsets.UTF_8).replace("+", "%20");
        return (inline ? "inline" : "attachment") + "; filename=\"" + safe + "\"; filename*=UTF-8''" + encoded;
    }
}
