package io.wagateway.deployment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.wagateway.config.ConfigKeys;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Parses every manifest under deployment/ and holds it to the application's own configuration:
 * port, probe paths, environment variable names, graceful-shutdown budget, replicas, and no
 * secret values in the repository. Renders the overlays too when kubectl is installed.
 */
class ManifestsTest {

    private static final Path ROOT = Path.of("deployment");
    private static final Path BASE = ROOT.resolve("base");
    private static final YAMLMapper YAML = new YAMLMapper();
    /** Variables that must only ever come from a Secret. */
    private static final Set<String> SECRET_VARIABLES = Set.of("QUARKUS_DATASOURCE_USERNAME",
            "QUARKUS_DATASOURCE_PASSWORD", "APP_WHATSAPP_APP_SECRET", "APP_WHATSAPP_VERIFY_TOKEN",
            "APP_WHATSAPP_ACCESS_TOKEN");

    private static Map<Path, List<JsonNode>> documents;
    private static int httpPort;
    private static Set<String> knownVariables;

    @BeforeAll
    static void load() throws IOException {
        documents = new LinkedHashMap<>();
        try (Stream<Path> files = Files.walk(ROOT)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
                    .sorted().toList()) {
                documents.put(file, parse(Files.readString(file)));
            }
        }
        httpPort = Integer.parseInt(ConfigKeys.property("quarkus.http.port"));
        knownVariables = new HashSet<>();
        ConfigKeys.appConfigKeys().forEach(k -> knownVariables.add(ConfigKeys.envName(k)));
        ConfigKeys.appExpressionKeys().forEach(k -> knownVariables.add(ConfigKeys.envName(k)));
        ConfigKeys.quarkusPropertyKeys().forEach(k -> knownVariables.add(ConfigKeys.envName(k)));
        knownVariables.addAll(ConfigKeys.readmeEnvVars());
    }

    private static List<JsonNode> parse(String yaml) throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            while (it.hasNext()) {
                JsonNode doc = it.next();
                if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
                    docs.add(doc);
                }
            }
        }
        return docs;
    }

    @Test
    void everyManifestParsesAndKustomizationsPointAtExistingFiles() {
        assertTrue(documents.size() >= 10, "manifests found: " + documents.keySet());
        documents.forEach((file, docs) -> {
            assertFalse(docs.isEmpty(), file + " is empty");
            if (!file.getFileName().toString().equals("kustomization.yaml")) {
                docs.forEach(doc -> {
                    assertTrue(doc.hasNonNull("apiVersion") && doc.hasNonNull("kind"), file + ": " + doc);
                    assertTrue(doc.path("metadata").hasNonNull("name"), file + " has a document without a name");
                });
            }
        });
        for (Path kustomization : kustomizations()) {
            JsonNode k = documents.get(kustomization).get(0);
            Path dir = kustomization.getParent();
            k.path("resources").forEach(r -> {
                Path target = dir.resolve(r.asText()).normalize();
                assertTrue(Files.isRegularFile(target) || Files.isRegularFile(target.resolve("kustomization.yaml")),
                        kustomization + " lists a missing resource " + r.asText());
            });
            k.path("patches").forEach(p -> {
                if (p.has("path")) {
                    assertTrue(Files.isRegularFile(dir.resolve(p.path("path").asText())),
                            kustomization + " lists a missing patch " + p.path("path").asText());
                }
            });
        }
        assertTrue(Files.isRegularFile(ROOT.resolve("overlays/dev/kustomization.yaml")));
        assertTrue(Files.isRegularFile(ROOT.resolve("overlays/prod/kustomization.yaml")));
    }

    @Test
    void baseDeploymentServesTheConfiguredPortWithTheHealthProbes() {
        JsonNode deployment = only(BASE.resolve("deployment.yaml"), "Deployment");
        JsonNode container = deployment.at("/spec/template/spec/containers/0");
        assertProbesAndPorts(container, true);
        assertTrue(deployment.at("/spec/replicas").asInt() >= 2, "at least two replicas");
        assertTrue(container.at("/resources/requests").has("cpu") && container.at("/resources/requests").has("memory"),
                "requests are set");
        assertTrue(container.at("/resources/limits").has("memory"), "a memory limit is set");
        assertTrue(deployment.at("/spec/template/spec/securityContext/runAsNonRoot").asBoolean(), "non-root");
    }

    @Test
    void terminationGraceOutlastsTheShutdownDelayAndTheDrainTimeout() {
        String drain = ConfigKeys.property("app.http.drain-timeout");
        Duration budget = duration(ConfigKeys.property("quarkus.shutdown.delay"))
                .plus(duration(drain != null ? drain : "5s")); // AppConfig.Http's default
        JsonNode base = only(BASE.resolve("deployment.yaml"), "Deployment");
        assertTrue(base.at("/spec/template/spec").has("terminationGracePeriodSeconds"), "grace period is set");
        for (JsonNode deployment : all("Deployment")) {
            JsonNode grace = deployment.at("/spec/template/spec/terminationGracePeriodSeconds");
            if (!grace.isMissingNode()) {
                assertTrue(grace.asLong() > budget.toSeconds(),
                        "terminationGracePeriodSeconds " + grace + " must exceed " + budget);
            }
        }
    }

    @Test
    void everyDeploymentAndPatchUsesKnownVariablesPortsAndProbes() {
        for (JsonNode deployment : all("Deployment")) {
            JsonNode replicas = deployment.at("/spec/replicas");
            if (!replicas.isMissingNode()) {
                assertTrue(replicas.asInt() >= 2, "replicas " + replicas);
            }
            for (JsonNode container : deployment.at("/spec/template/spec/containers")) {
                assertProbesAndPorts(container, false);
                for (JsonNode env : container.path("env")) {
                    String name = env.path("name").asText();
                    assertKnown(name, "env of " + deployment.at("/metadata/name").asText());
                    if (SECRET_VARIABLES.contains(name)) {
                        assertTrue(env.at("/valueFrom/secretKeyRef").isObject(), name + " must come from a Secret");
                    }
                }
            }
        }
    }

    @Test
    void configMapsNameOnlyKnownVariablesAndNoSecret() {
        List<String> names = new ArrayList<>();
        for (Path kustomization : kustomizations()) {
            JsonNode k = documents.get(kustomization).get(0);
            k.path("configMapGenerator").forEach(generator -> generator.path("literals")
                    .forEach(literal -> names.add(literal.asText().split("=", 2)[0])));
            assertTrue(k.path("secretGenerator").isMissingNode(), kustomization + ": secrets are created outside git");
        }
        all("ConfigMap").forEach(map -> map.path("data").fieldNames().forEachRemaining(names::add));
        assertTrue(names.contains("QUARKUS_DATASOURCE_REACTIVE_URL") && names.contains("APP_WHATSAPP_MODE"), names.toString());
        for (String name : names) {
            assertKnown(name, "ConfigMap");
            assertFalse(SECRET_VARIABLES.contains(name), name + " belongs in a Secret");
        }
        // the Deployment reads the generated ConfigMap
        JsonNode base = documents.get(BASE.resolve("kustomization.yaml")).get(0);
        String generated = base.at("/configMapGenerator/0/name").asText();
        JsonNode envFrom = only(BASE.resolve("deployment.yaml"), "Deployment").at("/spec/template/spec/containers/0/envFrom");
        assertTrue(envFrom.findValuesAsText("name").contains(generated), "envFrom " + envFrom);
    }

    @Test
    void noSecretValueIsCommitted() {
        for (JsonNode secret : all("Secret")) {
            for (String field : List.of("data", "stringData")) {
                secret.path(field).properties().forEach(e -> assertTrue(e.getValue().asText().isEmpty(),
                        "Secret " + secret.at("/metadata/name").asText() + " commits a value for " + e.getKey()));
            }
        }
        documents.forEach((file, docs) -> assertFalse(docs.toString().contains("BEGIN PRIVATE KEY"), file.toString()));
    }

    @Test
    void serviceIngressAutoscalerBudgetAndPolicyFitTheDeployment() {
        JsonNode deployment = only(BASE.resolve("deployment.yaml"), "Deployment");
        String name = deployment.at("/metadata/name").asText();
        JsonNode selector = deployment.at("/spec/selector/matchLabels");
        assertEquals(selector, deployment.at("/spec/template/metadata/labels"));

        JsonNode service = only(BASE.resolve("service.yaml"), "Service");
        assertEquals(selector, service.at("/spec/selector"));
        String target = service.at("/spec/ports/0/targetPort").asText();
        assertTrue(target.equals("http") || target.equals(String.valueOf(httpPort)), "targetPort " + target);

        JsonNode ingress = only(BASE.resolve("ingress.yaml"), "Ingress");
        JsonNode annotations = ingress.at("/metadata/annotations");
        assertTrue(annotations.path("nginx.ingress.kubernetes.io/proxy-read-timeout").asInt() >= 3600, annotations.toString());
        assertTrue(annotations.path("nginx.ingress.kubernetes.io/proxy-send-timeout").asInt() >= 3600, annotations.toString());
        assertEquals("off", annotations.path("nginx.ingress.kubernetes.io/proxy-buffering").asText());
        List<String> paths = ingress.findValuesAsText("path");
        assertTrue(paths.contains("/ws") && paths.contains("/webhooks/whatsapp"), paths.toString());
        assertTrue(paths.stream().noneMatch(p -> p.startsWith("/q")), "health and metrics stay internal: " + paths);
        ingress.findValues("service").forEach(s -> assertEquals(service.at("/metadata/name").asText(),
                s.path("name").asText()));

        JsonNode hpa = only(BASE.resolve("hpa.yaml"), "HorizontalPodAutoscaler");
        assertEquals(name, hpa.at("/spec/scaleTargetRef/name").asText());
        assertTrue(hpa.at("/spec/minReplicas").asInt() >= 2);
        assertEquals("cpu", hpa.at("/spec/metrics/0/resource/name").asText());

        JsonNode pdb = only(BASE.resolve("pdb.yaml"), "PodDisruptionBudget");
        assertEquals(1, pdb.at("/spec/minAvailable").asInt());
        assertEquals(selector, pdb.at("/spec/selector/matchLabels"));

        JsonNode policy = only(BASE.resolve("networkpolicy.yaml"), "NetworkPolicy");
        assertEquals(selector, policy.at("/spec/podSelector/matchLabels"));
        List<Integer> in = policy.at("/spec/ingress").findValues("port").stream().map(JsonNode::asInt).toList();
        List<Integer> out = policy.at("/spec/egress").findValues("port").stream().map(JsonNode::asInt).toList();
        assertTrue(!in.isEmpty() && in.stream().allMatch(p -> p == httpPort), "ingress ports " + in);
        assertTrue(out.containsAll(List.of(5432, 53, 443)), "egress ports " + out);
    }

    @Test
    void overlaysRenderWhenKubectlIsInstalled() throws Exception {
        assumeTrue(kubectl(), "kubectl is not installed: overlays not rendered");
        for (String overlay : List.of("dev", "prod")) {
            List<JsonNode> rendered = parse(render(ROOT.resolve("overlays").resolve(overlay)));
            JsonNode deployment = rendered.stream().filter(d -> "Deployment".equals(d.path("kind").asText()))
                    .findFirst().orElseThrow();
            JsonNode config = rendered.stream().filter(d -> "ConfigMap".equals(d.path("kind").asText()))
                    .findFirst().orElseThrow();
            JsonNode container = deployment.at("/spec/template/spec/containers/0");
            assertProbesAndPorts(container, true);
            assertTrue(deployment.at("/spec/replicas").asInt() >= 2);
            assertFalse(deployment.at("/metadata/namespace").asText().isEmpty(), overlay + " sets a namespace");
            assertEquals(config.at("/metadata/name").asText(), container.at("/envFrom/0/configMapRef/name").asText(),
                    overlay + ": the Deployment reads the generated ConfigMap");
            assertTrue(container.path("image").asText().contains("/"), overlay + " sets the image");
            assertEquals("cloud", config.at("/data/APP_WHATSAPP_MODE").asText());
            assertEquals(overlay.equals("prod") ? "true" : "false",
                    config.at("/data/QUARKUS_LOG_CONSOLE_JSON_ENABLED").asText(), overlay + ": JSON logs");
            assertTrue(rendered.stream().noneMatch(d -> "Secret".equals(d.path("kind").asText())), "no Secret rendered");
        }
    }

    // ---- helpers ----

    private void assertProbesAndPorts(JsonNode container, boolean required) {
        Map<String, Integer> namedPorts = new LinkedHashMap<>();
        for (JsonNode port : container.path("ports")) {
            assertEquals(httpPort, port.path("containerPort").asInt(), "containerPort matches quarkus.http.port");
            namedPorts.put(port.path("name").asText(), port.path("containerPort").asInt());
        }
        if (required) {
            assertEquals(Map.of("http", httpPort), namedPorts);
        }
        Map<String, String> probes = Map.of("startupProbe", "/q/health/started", "readinessProbe", "/q/health/ready",
                "livenessProbe", "/q/health/live");
        probes.forEach((probe, path) -> {
            JsonNode get = container.at("/" + probe + "/httpGet");
            if (get.isMissingNode()) {
                assertFalse(required, probe + " is missing");
                return;
            }
            assertEquals(path, get.path("path").asText(), probe);
            JsonNode port = get.path("port");
            int resolved = port.isInt() ? port.asInt() : namedPorts.getOrDefault(port.asText(),
                    "http".equals(port.asText()) ? httpPort : -1);
            assertEquals(httpPort, resolved, probe + " port " + port);
        });
    }

    private static void assertKnown(String variable, String where) {
        boolean known = knownVariables.contains(variable) || variable.startsWith("MP_JWT_VERIFY_");
        assertTrue(known, where + ": " + variable + " is no key of AppConfig, application.properties or the "
                + "README configuration table");
    }

    private static List<Path> kustomizations() {
        return documents.keySet().stream().filter(f -> f.getFileName().toString().equals("kustomization.yaml")).toList();
    }

    private static List<JsonNode> all(String kind) {
        return documents.values().stream().flatMap(List::stream).filter(d -> kind.equals(d.path("kind").asText()))
                .toList();
    }

    private static JsonNode only(Path file, String kind) {
        List<JsonNode> docs = documents.get(file);
        assertNotNull(docs, file + " exists");
        return docs.stream().filter(d -> kind.equals(d.path("kind").asText())).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " in " + file));
    }

    /** Quarkus' duration syntax: a number with ms, s, m, h or d (seconds without a unit), or ISO-8601. */
    static Duration duration(String value) {
        assertNotNull(value, "duration");
        Matcher m = Pattern.compile("(\\d+)(ms|s|m|h|d)?").matcher(value.trim());
        if (!m.matches()) {
            return Duration.parse(value.trim());
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2) == null ? "s" : m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofSeconds(n);
        };
    }

    private static boolean kubectl() {
        try {
            Process p = new ProcessBuilder("kubectl", "version", "--client").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String render(Path overlay) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("kubectl", "kustomize", overlay.toString()).start();
        byte[] errors;
        String out;
        try {
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            errors = p.getErrorStream().readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            fail("kubectl kustomize " + overlay + " failed: " + new String(errors, StandardCharsets.UTF_8));
        }
        return out;
    }
}
