package io.wagateway.whatsapp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.wagateway.metrics.GatewayMetrics;
import io.wagateway.phonenumber.PhoneNumber;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The read breaker: Meta down fails reads at once; Meta refusing a request does not open it; sends
 * never. A Quarkus test only because SmallRye Fault Tolerance's programmatic API needs its container.
 */
@QuarkusTest
class WhatsAppClientTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A Graph API whose every call fails with {@code failure}, counting the calls that reached it. */
    private static final class FailingGraph implements GraphTransport {
        final AtomicInteger calls = new AtomicInteger();
        volatile MetaError failure;

        FailingGraph(MetaError failure) {
            this.failure = failure;
        }

        private Uni<JsonNode> call() {
            calls.incrementAndGet();
            return failure == null ? Uni.createFrom().item(JSON.createObjectNode().put("id", "ok"))
                    : Uni.createFrom().failure(failure);
        }

        @Override
        public Uni<JsonNode> messages(String phoneNumberId, String accessToken, JsonNode body) {
            return call();
        }

        @Override
        public Uni<JsonNode> phoneNumber(String phoneNumberId, String accessToken, String fields) {
            return call();
        }

        @Override
        public Uni<JsonNode> qrCodes(String phoneNumberId, String accessToken, String fields) {
            return call();
        }

        @Override
        public Uni<JsonNode> createQrCode(String phoneNumberId, String accessToken, JsonNode body) {
            return call();
        }

        @Override
        public Uni<JsonNode> approvedTemplates(String wabaId, String accessToken, String fields, int limit,
                                               String after) {
            return call();
        }

        @Override
        public Uni<JsonNode> mediaInfo(String mediaId, String phoneNumberId, String accessToken) {
            return call();
        }

        @Override
        public Uni<MediaDownload> download(String url, String accessToken, java.nio.file.Path into) {
            return call().map(ok -> new MediaDownload(0, ""));
        }

        @Override
        public Uni<JsonNode> uploadMedia(String phoneNumberId, String accessToken, java.nio.file.Path file,
                                         String mimeType, String filename) {
            return call();
        }
    }

    /** Meta's template listing in pages of one: {@code paging.next} on every page but the last. */
    private static final class PagedTemplates implements GraphTransport {
        final List<String> afters = new CopyOnWriteArrayList<>();

        @Override
        public Uni<JsonNode> approvedTemplates(String wabaId, String accessToken, String fields, int limit,
                                               String after) {
            afters.add(String.valueOf(after));
            int page = after == null ? 0 : Integer.parseInt(after.substring(1));
            ObjectNode body = JSON.createObjectNode();
            body.putArray("data").addObject().put("name", "t" + page).put("status", "APPROVED");
            ObjectNode paging = body.putObject("paging");
            paging.putObject("cursors").put("before", "b" + page).put("after", "c" + (page + 1));
            if (page < 2) {
                paging.put("next", "https://graph.example/next");
            }
            return Uni.createFrom().item(body);
        }

        @Override
        public Uni<JsonNode> messages(String phoneNumberId, String accessToken, JsonNode body) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Uni<JsonNode> phoneNumber(String phoneNumberId, String accessToken, String fields) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Uni<JsonNode> qrCodes(String phoneNumberId, String accessToken, String fields) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Uni<JsonNode> createQrCode(String phoneNumberId, String accessToken, JsonNode body) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Uni<JsonNode> mediaInfo(String mediaId, String phoneNumberId, String accessToken) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Uni<MediaDownload> download(String url, String accessToken, java.nio.file.Path into) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Uni<JsonNode> uploadMedia(String phoneNumberId, String accessToken, java.nio.file.Path file,
                                         String mimeType, String filename) {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void templatesAreReadPageByPageUntilMetaGivesNoNextPage() {
        PagedTemplates graph = new PagedTemplates();
        PhoneNumber number = number();
        number.wabaId = "waba-1";
        List<JsonNode> all = client(graph, Duration.ofSeconds(30)).approvedTemplates(number).await()
                .atMost(Duration.ofSeconds(5));
        assertEquals(List.of("t0", "t1", "t2"), all.stream().map(t -> t.path("name").asText()).toList());
        assertEquals(List.of("null", "c1", "c2"), graph.afters);
    }

    private static WhatsAppClient client(GraphTransport graph, Duration breakerDelay) {
        return new WhatsAppClient(graph, JSON, new GatewayMetrics(new SimpleMeterRegistry(), null), breakerDelay);
    }

    private static PhoneNumber number() {
        PhoneNumber number = new PhoneNumber();
        number.phoneNumberId = "pn-1";
        number.accessToken = "token";
        return number;
    }

    private static MetaError readFailure(WhatsAppClient client) {
        return assertThrows(MetaError.class, () -> client.phoneNumber(number()).await().atMost(Duration.ofSeconds(5)));
    }

    @Test
    void anOutageOpensTheBreakerAndItClosesAgainOnceMetaAnswers() throws Exception {
        FailingGraph graph = new FailingGraph(MetaError.network("Graph API call timed out"));
        WhatsAppClient client = client(graph, Duration.ofMillis(300));
        for (int i = 0; i < WhatsAppClient.READ_BREAKER_WINDOW; i++) {
            assertEquals(0, readFailure(client).status());
        }
        int reached = graph.calls.get();
        MetaError refused = readFailure(client);
        assertEquals(503, refused.status());
        assertTrue(refused.retryable());
        assertEquals(reached, graph.calls.get(), "an open breaker must not call Meta");

        graph.failure = null; // Meta is back
        Thread.sleep(400);
        assertEquals("ok", client.qrCodes(number()).await().atMost(Duration.ofSeconds(5)).path("id").asText());
        assertEquals("ok", client.phoneNumber(number()).await().atMost(Duration.ofSeconds(5)).path("id").asText());
    }

    @Test
    void metaRefusingTheRequestIsNotAnOutage() {
        FailingGraph graph = new FailingGraph(new MetaError(400, 100, "Invalid parameter", null));
        WhatsAppClient client = client(graph, Duration.ofMinutes(1));
        for (int i = 0; i < 3 * WhatsAppClient.READ_BREAKER_WINDOW; i++) {
            assertEquals(400, readFailure(client).status());
        }
        assertEquals(3 * WhatsAppClient.READ_BREAKER_WINDOW, graph.calls.get());
    }

    @Test
    void sendsDoNotGoThroughTheBreaker() {
        FailingGraph graph = new FailingGraph(MetaError.network("Graph API unreachable"));
        WhatsAppClient client = client(graph, Duration.ofMinutes(1));
        for (int i = 0; i < 2 * WhatsAppClient.READ_BREAKER_WINDOW; i++) {
            readFailure(client);
        }
        int before = graph.calls.get();
        assertThrows(MetaError.class, () -> client.send(number(), JSON.createObjectNode())
                .await().atMost(Duration.ofSeconds(5)));
        assertEquals(before + 1, graph.calls.get(), "the outbox keeps its own retries: a send always reaches Meta");
    }
}
