package io.wagateway.config;

import io.smallrye.config.WithName;
import io.smallrye.config.WithParentName;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The configuration keys the application reads, from its own sources (no Quarkus start): the
 * {@code @ConfigMapping} {@link AppConfig}, {@code ${app.*}} expressions in the code (scheduler
 * intervals), {@code application.properties}, and the environment variables documented in the
 * README's configuration table.
 */
public final class ConfigKeys {

    private static final Path PROPERTIES = Path.of("src", "main", "resources", "application.properties");
    private static final Pattern APP_EXPRESSION = Pattern.compile("\\$\\{(app\\.[a-z0-9.-]+)");
    private static final Pattern QUARKUS_EXPRESSION = Pattern.compile("\\$\\{(quarkus\\.[a-z0-9.\"-]+)");
    private static final Pattern ENV_TOKEN = Pattern.compile("`([A-Z][A-Z0-9_]+)`");

    private ConfigKeys() {
    }

    /** Every leaf key of {@link AppConfig}, e.g. {@code app.ws.rate-limit-per-second}. */
    public static Set<String> appConfigKeys() {
        Set<String> keys = new TreeSet<>();
        walk(AppConfig.class, "app", keys);
        return keys;
    }

    private static void walk(Class<?> type, String prefix, Set<String> keys) {
        for (Method method : type.getMethods()) {
            if (method.getParameterCount() != 0 || Modifier.isStatic(method.getModifiers()) || method.isDefault()) {
                continue;
            }
            String key = method.isAnnotationPresent(WithParentName.class) ? prefix
                    : prefix + "." + (method.isAnnotationPresent(WithName.class)
                    ? method.getAnnotation(WithName.class).value() : kebab(method.getName()));
            Class<?> returned = method.getReturnType();
            if (returned.isInterface() && returned.getName().startsWith(AppConfig.class.getName())) {
                walk(returned, key, keys);
            } else {
                keys.add(key);
            }
        }
    }

    static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
    }

    /** {@code app.ws.rate-limit-per-second} -> {@code APP_WS_RATE_LIMIT_PER_SECOND}. */
    public static String envName(String key) {
        return key.replaceAll("[^A-Za-z0-9]", "_").toUpperCase();
    }

    /** {@code app.*} keys read through {@code ${...}} expressions in src/main/java (not in AppConfig). */
    public static Set<String> appExpressionKeys() {
        Set<String> keys = new TreeSet<>();
        try (Stream<Path> files = Files.walk(Path.of("src", "main", "java"))) {
            files.filter(f -> f.toString().endsWith(".java")).forEach(f -> {
                Matcher m = APP_EXPRESSION.matcher(read(f));
                while (m.find()) {
                    keys.add(m.group(1));
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return keys;
    }

    /** The {@code quarkus.*} keys set in application.properties (any profile) or used in its expressions. */
    public static Set<String> quarkusPropertyKeys() {
        Set<String> keys = new TreeSet<>();
        for (String line : read(PROPERTIES).split("\n")) {
            String trimmed = line.trim();
            if (trimmed.isEmpty() || trimmed.startsWith("#") || !trimmed.contains("=")) {
                continue;
            }
            String key = trimmed.substring(0, trimmed.indexOf('=')).trim().replaceFirst("^%[a-z-]+\\.", "");
            if (key.startsWith("quarkus.")) {
                keys.add(key);
            }
            Matcher m = QUARKUS_EXPRESSION.matcher(trimmed.substring(trimmed.indexOf('=') + 1));
            while (m.find()) {
                keys.add(m.group(1));
            }
        }
        return keys;
    }

    /** The value of a key of application.properties without a profile prefix, or null. */
    public static String property(String key) {
        for (String line : read(PROPERTIES).split("\n")) {
            String trimmed = line.trim();
            if (trimmed.startsWith(key + "=")) {
                return trimmed.substring(key.length() + 1).trim();
            }
        }
        return null;
    }

    /**
     * Environment variables named in the first column of README.md's tables (rows like
     * {@code | `APP_WS_IDLE_TIMEOUT` | ...}; a cell may name several).
     */
    public static Set<String> readmeEnvVars() {
        Set<String> vars = new TreeSet<>();
        for (String line : read(Path.of("README.md")).split("\n")) {
            String[] cells = line.split("\\|");
            if (!line.startsWith("|") || cells.length < 2) {
                continue;
            }
            Matcher m = ENV_TOKEN.matcher(cells[1]);
            while (m.find()) {
                String name = m.group(1);
                if (name.startsWith("APP_") || name.startsWith("QUARKUS_") || name.startsWith("MP_")) {
                    vars.add(name);
                }
            }
        }
        return vars;
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
