package io.wagateway.support;

import io.quarkus.vertx.VertxContextSupport;
import io.wagateway.conversation.InboundMessage;
import io.wagateway.conversation.InboundMessageService;
import io.wagateway.phonenumber.PhoneNumber;
import io.wagateway.phonenumber.PhoneNumberService;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/** Seeds test data through the services, the way the webhook path and the admin API do. */
@ApplicationScoped
public class Seeder {

    private static final AtomicLong NUMBERS = new AtomicLong(System.nanoTime() % 1_000_000_000L);

    private final PhoneNumberService numbers;
    private final InboundMessageService inbound;

    public Seeder(PhoneNumberService numbers, InboundMessageService inbound) {
        this.numbers = numbers;
        this.inbound = inbound;
    }

    /** A fresh tenant name, so that tests never see each other's data. */
    public static String tenant() {
        return "t-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A fresh phone number (digits). */
    public static String number() {
        return "1555" + String.format("%09d", NUMBERS.incrementAndGet() % 1_000_000_000L);
    }

    public PhoneNumber phoneNumber(String tenant) {
        String display = number();
        return await(() -> numbers.register(tenant, new PhoneNumberService.Registration(
                "pn-" + UUID.randomUUID(), "waba-1", display, "Acme Support", "secret-token-" + display)));
    }

    public InboundMessageService.Result inbound(PhoneNumber number, String from, String name, String text,
                                                Instant at) {
        return await(() -> inbound.record(InboundMessage.text(number.phoneNumberId, from, name,
                "wamid." + UUID.randomUUID(), at, text)));
    }

    public InboundMessageService.Result inbound(InboundMessage message) {
        return await(() -> inbound.record(message));
    }

    private static <T> T await(java.util.function.Supplier<io.smallrye.mutiny.Uni<T>> work) {
        try {
            return VertxContextSupport.subscribeAndAwait(work);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }
}
