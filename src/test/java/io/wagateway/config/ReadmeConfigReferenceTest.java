package io.wagateway.config;

import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's configuration table against the {@code @ConfigMapping}: every key of
 * {@link AppConfig} is documented as its environment variable, and the table documents no
 * {@code APP_*} variable that the application does not read.
 */
class ReadmeConfigReferenceTest {

    /**
     * Keys of AppConfig that README.md does not document yet. The README's configuration section
     * is being rewritten on another branch; this list only shrinks: a key documented meanwhile
     * fails the test until it is removed from here, and a new key must be documented at once.
     */
    private static final Set<String> NOT_YET_DOCUMENTED = Set.of(
            "APP_ASSIGNMENT_AUTO",
            "APP_EVENTS_CONVERSATION_UPDATES",
            "APP_PRESENCE_EXPIRY",
            "APP_PRESENCE_HEARTBEAT",
            "APP_WHATSAPP_CALL_TIMEOUT",
            "APP_WHATSAPP_CUSTOMER_TYPING_INDICATOR",
            "APP_WHATSAPP_MAX_ATTEMPTS",
            "APP_WHATSAPP_MESSAGES_PER_SECOND",
            "APP_WHATSAPP_RETRY_INITIAL_DELAY",
            "APP_WHATSAPP_RETRY_MAX_DELAY",
            "APP_WHATSAPP_SEND_LOCK",
            "APP_WHATSAPP_STATUS_CACHE_TTL",
            "APP_WS_TYPING_EXPIRY");

    @Test
    void appConfigKeysAreWalkedAndKebabCased() {
        Set<String> keys = ConfigKeys.appConfigKeys();
        assertTrue(keys.contains("app.ws.rate-limit-per-second"), keys.toString());
        assertTrue(keys.contains("app.whatsapp.phone-number-id"), keys.toString());
        assertTrue(keys.contains("app.events.retention"), keys.toString());
        assertEquals("APP_WS_RATE_LIMIT_PER_SECOND", ConfigKeys.envName("app.ws.rate-limit-per-second"));
    }

    @Test
    void everyAppConfigKeyIsInTheReadmeTable() {
        Set<String> documented = ConfigKeys.readmeEnvVars();
        Set<String> missing = ConfigKeys.appConfigKeys().stream().map(ConfigKeys::envName)
                .filter(name -> !documented.contains(name)).collect(Collectors.toCollection(TreeSet::new));
        Set<String> newlyMissing = new TreeSet<>(missing);
        newlyMissing.removeAll(NOT_YET_DOCUMENTED);
        assertTrue(newlyMissing.isEmpty(), "README.md's configuration table lacks " + newlyMissing);
        Set<String> nowDocumented = new TreeSet<>(NOT_YET_DOCUMENTED);
        nowDocumented.removeAll(missing);
        assertTrue(nowDocumented.isEmpty(), "now documented, remove from NOT_YET_DOCUMENTED: " + nowDocumented);
    }

    @Test
    void theReadmeDocumentsNoAppVariableTheApplicationDoesNotRead() {
        Set<String> read = new TreeSet<>();
        ConfigKeys.appConfigKeys().forEach(k -> read.add(ConfigKeys.envName(k)));
        ConfigKeys.appExpressionKeys().forEach(k -> read.add(ConfigKeys.envName(k)));
        Set<String> unknown = ConfigKeys.readmeEnvVars().stream().filter(v -> v.startsWith("APP_"))
                .filter(v -> !read.contains(v)).collect(Collectors.toCollection(TreeSet::new));
        assertTrue(unknown.isEmpty(), "README.md documents variables nothing reads: " + unknown);
    }
}
