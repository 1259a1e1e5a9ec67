package io.wagateway.phonenumber;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.VertxContextSupport;
import io.wagateway.config.AppConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;
import io.wagateway.protocol.ProtocolException;
import java.time.Duration;

/** Registers the number configured with {@code APP_WHATSAPP_*} for {@code APP_WHATSAPP_TENANT}. */
@ApplicationScoped
public class StartupRegistration {

    private static final Logger LOG = Logger.getLogger(StartupRegistration.class);

    void onStart(@Observes StartupEvent event, AppConfig config, PhoneNumberService service) throws Throwable {
        AppConfig.WhatsApp wa = config.whatsapp();
        if (wa.phoneNumberId().isEmpty() || wa.displayPhoneNumber().isEmpty()) {
            return;
        }
        var registration = new PhoneNumberService.Registration(wa.phoneNumberId().get(), wa.wabaId().orElse(null),
                wa.displayPhoneNumber().get(), null, wa.accessToken().orElse(null));
        // replicas starting together race on the unique phone-number-id: the loser's retry finds the row
        VertxContextSupport.subscribeAndAwait(() -> service.register(wa.tenant(), registration)
                .onFailure(f -> !(f instanceof ProtocolException)).retry()
                .withBackOff(Duration.ofMillis(50)).atMost(3));
        LOG.infof("Registered WhatsApp number %s for tenant %s", wa.phoneNumberId().get(), wa.tenant());
    }
}
