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
        assertTrue(missing.isEmpty(), "README.md's configuration table lacks " + missing);
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
