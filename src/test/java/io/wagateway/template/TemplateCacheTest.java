package io.wagateway.template;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import io.wagateway.phonenumber.NumberStateService;
import io.wagateway.phonenumber.PhoneNumber;
import io.wagateway.support.FakeGraphApi;
import io.wagateway.support.FakeGraphApi.Reply;
import io.wagateway.support.FakeGraphResource;
import io.wagateway.support.Seeder;
import io.wagateway.support.Tenants;
import io.wagateway.support.TestTenant;
import io.wagateway.whatsapp.WhatsAppClient;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The template cache's lifetime and scope, against the Graph API imitation, with a clock the test moves. */
@QuarkusTest
@QuarkusTestResource(value = FakeGraphResource.class, restrictToAnnotatedClass = true)
class TemplateCacheTest {

    private static final String ONE_TEMPLATE = """
            {"data":[{"name":"hello_world","language":"en_US","category":"UTILITY","status":"APPROVED",
                      "components":[{"type":"BODY","text":"Hello"}]}]}""";

    @TestHTTPResource("/")
    URI base;

    @Inject
    Tenants tenants;

    @Inject
    Seeder seeder;

    @Inject
    NumberStateService numbers;

    @Inject
    WhatsAppClient whatsapp;

    @FakeGraphResource.InjectFakeGraph
    FakeGraphApi graph;

    private final MovableClock clock = new MovableClock();
    private TestTenant tenant;
    private TemplateService templates;

    @BeforeEach
    void seed() {
        graph.reset();
        tenant = tenants.fresh(base);
        templates = new TemplateService(numbers, whatsapp, Duration.ofMinutes(10), clock);
    }

    @Test
    void aListIsServedUntilItsTtlThenReadAgain() {
        graph.enqueue(Reply.ok(ONE_TEMPLATE), Reply.ok(ONE_TEMPLATE));
        assertEquals(1, approved(null).size());
        clock.advance(Duration.ofMinutes(9));
        assertEquals(1, approved(null).size());
        assertEquals(1, graph.requests("/message_templates").size());
        clock.advance(Duration.ofMinutes(2));
        assertEquals(1, approved(null).size());
        assertEquals(2, graph.requests("/message_templates").size());
    }

    @Test
    void eachNumberHasItsOwnListAndConcurrentRequestsShareOneRead() {
        PhoneNumber other = seeder.phoneNumber(tenant.id());
        graph.enqueue(new Reply(200, ONE_TEMPLATE, 300), Reply.ok("{\"data\":[]}"));
        // two requests at once, as two connections make them (each on its own context)
        CompletableFuture<List<Template>> first = CompletableFuture.supplyAsync(() -> approved(null));
        CompletableFuture<List<Template>> second = CompletableFuture.supplyAsync(() -> approved(null));
        assertEquals(1, first.join().size());
        assertEquals(1, second.join().size());
        assertEquals(1, graph.requests("/message_templates").size());
        assertEquals(0, approved(other.phoneNumberId).size());
        assertEquals(2, graph.requests("/message_templates").size());
    }

    private List<Template> approved(String phoneNumberId) {
        return await(() -> templates.approved(tenant.id(), phoneNumberId, null));
    }

    private static <T> T await(Supplier<Uni<T>> work) {
        try {
            return VertxContextSupport.subscribeAndAwait(work);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    private static final class MovableClock extends Clock {
        private volatile Instant now = Instant.now();

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
