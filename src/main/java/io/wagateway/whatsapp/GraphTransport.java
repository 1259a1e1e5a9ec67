package io.wagateway.whatsapp;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Uni;

import java.nio.file.Path;

/**
 * Where Graph API calls go: Meta in cloud mode, the built-in simulator in sandbox mode. Failures
 * are {@link MetaError}s.
 */
public interface GraphTransport {

    Uni<JsonNode> messages(String phoneNumberId, String accessToken, JsonNode body);

    Uni<JsonNode> phoneNumber(String phoneNumberId, String accessToken, String fields);

    Uni<JsonNode> qrCodes(String phoneNumberId, String accessToken, String fields);

    Uni<JsonNode> createQrCode(String phoneNumberId, String accessToken, JsonNode body);

    /**
     * One page ({@code data}, {@code paging}) of the WABA's approved templates.
     *
     * @param after the cursor of the page before, or null for the first
     */
    Uni<JsonNode> approvedTemplates(String wabaId, String accessToken, String fields, int limit, String after);

    /**
     * {@code GET /{media-id}}: a fresh download URL (valid for minutes) with {@code mime_type},
     * {@code sha256} and {@code file_size}.
     */
    Uni<JsonNode> mediaInfo(String mediaId, String phoneNumberId, String accessToken);

    /**
     * Streams the media at {@code url} (from {@link #mediaInfo}) into {@code into}, with the bearer
     * token and an explicit User-Agent, redirects followed; never holds the whole file in memory.
     * A URL that expired answers a {@link MetaError} with status 404.
     */
    Uni<MediaDownload> download(String url, String accessToken, Path into);

    /** {@code POST /{phone-number-id}/media} (multipart), streamed from the file; answers {@code {"id"}}. */
    Uni<JsonNode> uploadMedia(String phoneNumberId, String accessToken, Path file, String mimeType, String filename);
}
