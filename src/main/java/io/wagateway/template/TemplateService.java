package io.wagateway.template;

import io.smallrye.mutiny.Uni;
import io.wagateway.config.AppConfig;
import io.wagateway.phonenumber.NumberStateService;
import io.wagateway.phonenumber.PhoneNumber;
import io.wagateway.protocol.ErrorCode;
import io.wagateway.protocol.ProtocolException;
import io.wagateway.whatsapp.MetaError;
import io.wagateway.whatsapp.WhatsAppClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code get_templates} (PROTOCOL.md 6.3): a number's approved templates, read from the Graph API
 * and cached per number for {@code app.whatsapp.templates-cache-ttl}, so that every agent opening
 * the template picker does not cost a Graph call. Concurrent requests for a number share one read;
 * a failed read is not cached. {@code search} filters the cached list, so it costs no call either.
 */
@ApplicationScoped
public class TemplateService {

    private final NumberStateService numbers;
    private final WhatsAppClient whatsapp;
    private final Duration ttl;
    private final Clock clock;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    @Inject
    public TemplateService(NumberStateService numbers, WhatsAppClient whatsapp, AppConfig config) {
        this(numbers, whatsapp, config.whatsapp().templatesCacheTtl(), Clock.systemUTC());
    }

    TemplateService(NumberStateService numbers, WhatsAppClient whatsapp, Duration ttl, Clock clock) {
        this.numbers = numbers;
        this.whatsapp = whatsapp;
        this.ttl = ttl;
        this.clock = clock;
    }

    /** One number's templates, as one read from Meta left them, until {@code expires}. */
    private record Cached(Uni<List<Template>> templates, Instant expires) {}

    /**
     * @param phoneNumberId one of the tenant's numbers, or null for its default number
     * @param search        a part of the template name (case-insensitive; a space matches {@code _}), or null
     * @return the approved templates by name and language; {@code not_found} for a number the tenant
     *         does not have, {@code unavailable} for a number whose WhatsApp Business Account id was
     *         never registered (Meta lists templates per WABA), {@code whatsapp_error} when Meta refuses
     */
    public Uni<List<Template>> approved(String tenant, String phoneNumberId, String search) {
        return numbers.number(tenant, phoneNumberId).chain(number -> {
            if (number.wabaId == null) {
                return Uni.createFrom().failure(new ProtocolException(ErrorCode.UNAVAILABLE, "templates of "
                        + number.phoneNumberId + " are unavailable: its WhatsApp Business Account id (wabaId) is "
                        + "not registered; register it with POST /api/admin/phone-numbers"));
            }
            return cached(number).map(all -> matching(all, search));
        });
    }

    private Uni<List<Template>> cached(PhoneNumber number) {
        Instant now = clock.instant();
        Cached entry = cache.compute(number.phoneNumberId, (key, held) -> held != null && held.expires().isAfter(now)
                ? held : new Cached(read(number).memoize().indefinitely(), now.plus(ttl)));
        // a failure is answered to the requests that shared it, then forgotten: the next request asks Meta again
        return entry.templates().onFailure().invoke(() -> cache.remove(number.phoneNumberId, entry));
    }

    private Uni<List<Template>> read(PhoneNumber number) {
        return whatsapp.approvedTemplates(number)
                .onFailure(MetaError.class).transform(f -> NumberStateService.asProtocol((MetaError) f))
                .map(found -> found.stream()
                        // the query asks for APPROVED only; a listing without the field is taken as asked
                        .filter(t -> "APPROVED".equals(t.path("status").asText("APPROVED")))
                        .map(Template::of)
                        .sorted(Comparator.comparing(Template::name, Comparator.nullsLast(Comparator.naturalOrder()))
                                .thenComparing(Template::language, Comparator.nullsLast(Comparator.naturalOrder())))
                        .toList());
    }

    private static List<Template> matching(List<Template> all, String search) {
        if (search == null || search.isBlank()) {
            return all;
        }
        String term = search.trim().toLowerCase(Locale.ROOT).replace(' ', '_');
        return all.stream().filter(t -> t.name() != null && t.name().toLowerCase(Locale.ROOT).contains(term)).toList();
    }
}
