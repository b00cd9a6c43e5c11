package dev.fluxtap.deploy.manifests;

import static dev.fluxtap.deploy.manifests.ComposeFile.environment;
import static dev.fluxtap.deploy.manifests.ComposeFile.withDefaults;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fluxtap.schemas.Topics;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** deploy/compose/docker-compose.yml, checked statically: Docker is not available where these tests run. */
class ComposeFileTest {
    private final ComposeFile compose = ComposeFile.load(ComposeFile.MAIN);

    @Test
    void kafkaIsTheOfficialImageInKraftModeWithSingleNodeSettings() {
        Map<String, Object> kafka = compose.service("kafka");
        Map<String, String> env = environment(kafka);

        assertThat(kafka.get("image")).isEqualTo("apache/kafka:3.9.2");
        assertThat(Set.of(env.get("KAFKA_PROCESS_ROLES").split(","))).containsExactlyInAnyOrder("broker", "controller");
        assertThat(env).doesNotContainKey("KAFKA_ZOOKEEPER_CONNECT");
        assertThat(env.get("KAFKA_CONTROLLER_QUORUM_VOTERS")).startsWith(env.get("KAFKA_NODE_ID") + "@");
        assertThat(env).containsEntry("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "1")
                .containsEntry("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1")
                .containsEntry("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1")
                .containsEntry("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false");
        assertThat(env.get("CLUSTER_ID")).as("a base64 UUID, as kafka-storage random-uuid prints")
                .matches("[A-Za-z0-9_-]{22}");
        assertThat(Tree.list(kafka, "volumes")).anyMatch(v -> String.valueOf(v).endsWith(":" + env.get("KAFKA_LOG_DIRS")));
        assertThat(String.valueOf(Tree.list(kafka, "healthcheck", "test"))).contains("kafka-broker-api-versions.sh");
    }

    @Test
    void kafkaListenersServeContainersAndTheHostConsistently() {
        Map<String, String> env = environment(compose.service("kafka"));
        Map<String, Integer> listeners = listenerPorts(env.get("KAFKA_LISTENERS"));
        Map<String, String> advertised = listenerHosts(withDefaults(env.get("KAFKA_ADVERTISED_LISTENERS")));
        Set<String> mapped = Arrays.stream(env.get("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP").split(","))
                .map(entry -> entry.split(":")[0]).collect(Collectors.toSet());

        assertThat(mapped).containsAll(listeners.keySet());
        assertThat(listeners.keySet()).containsAll(advertised.keySet());
        assertThat(advertised).doesNotContainKey(env.get("KAFKA_CONTROLLER_LISTENER_NAMES"));
        assertThat(listeners).containsKey(env.get("KAFKA_INTER_BROKER_LISTENER_NAME"));
        assertThat(env.get("KAFKA_CONTROLLER_QUORUM_VOTERS"))
                .endsWith(":" + listeners.get(env.get("KAFKA_CONTROLLER_LISTENER_NAMES")));

        // The aggregator (a container) reaches Kafka by service name on an advertised listener.
        String aggregatorBootstrap = environment(compose.service("aggregator")).get("FLUXTAP_BOOTSTRAP_SERVERS");
        assertThat(advertised.values()).contains(aggregatorBootstrap);
        // The agent (host network) reaches Kafka on a published port that is advertised with a host-reachable name.
        String agentBootstrap = environment(compose.service("agent")).get("FLUXTAP_BOOTSTRAP_SERVERS");
        assertThat(advertised.values()).contains(agentBootstrap);
        String agentPort = agentBootstrap.substring(agentBootstrap.lastIndexOf(':') + 1);
        assertThat(Tree.list(compose.service("kafka"), "ports"))
                .map(port -> withDefaults(String.valueOf(port)))
                .anyMatch(port -> port.endsWith(":" + agentPort + ":" + agentPort));
    }

    @Test
    void initStepCreatesEveryContractTopicBeforeTheServicesStart() {
        Map<String, Object> init = compose.service("kafka-init");
        String script = String.valueOf(Tree.list(init, "command").get(0));

        assertThat(init.get("image")).isEqualTo("apache/kafka:3.9.2");
        assertThat(Tree.string(init, "depends_on", "kafka", "condition")).isEqualTo("service_healthy");
        assertThat(script).contains("--if-not-exists");
        for (String topic : Topics.ALL) {
            assertThat(script).contains("--topic " + topic + " ");
        }
        for (String service : List.of("aggregator", "agent")) {
            assertThat(Tree.string(compose.service(service), "depends_on", "kafka-init", "condition"))
                    .isEqualTo("service_completed_successfully");
        }
    }

    @Test
    void aggregatorIsUnprivilegedAndHealthCheckedOnReadiness() {
        Map<String, Object> aggregator = compose.service("aggregator");

        assertThat(aggregator.get("image")).asString().startsWith("fluxtap/aggregator:");
        assertThat(Files.isRegularFile(RepositoryFiles.COMPOSE_DIR.resolve(Tree.string(aggregator, "build", "context"))
                .resolve(Tree.string(aggregator, "build", "dockerfile")))).isTrue();
        assertNonRootReadOnly(aggregator);
        assertThat(Tree.list(aggregator, "cap_drop")).containsExactly("ALL");
        assertThat(aggregator).doesNotContainKeys("cap_add", "privileged", "network_mode", "pid");
        assertThat(Tree.list(aggregator, "security_opt")).contains("no-new-privileges:true");
        assertThat(Tree.list(aggregator, "healthcheck", "test")).containsSubsequence("8080", "/readiness");
        assertThat(environment(aggregator)).containsEntry("FLUXTAP_HTTP_PORT", "8080");
        assertThat(Tree.list(aggregator, "ports")).map(p -> withDefaults(String.valueOf(p))).contains("127.0.0.1:8080:8080");
    }

    @Test
    void agentSeesTheHostWithExactlyItsCapabilitiesAsANonRootUser() {
        Map<String, Object> agent = compose.service("agent");

        assertThat(agent.get("image")).asString().startsWith("fluxtap/agent:");
        assertThat(Files.isRegularFile(RepositoryFiles.COMPOSE_DIR.resolve(Tree.string(agent, "build", "context"))
                .resolve(Tree.string(agent, "build", "dockerfile")))).isTrue();
        assertThat(agent.get("network_mode")).isEqualTo("host");
        assertThat(agent.get("pid")).isEqualTo("host");
        assertNonRootReadOnly(agent);
        assertThat(agent.get("privileged")).isNotEqualTo(true);
        assertThat(Tree.list(agent, "cap_drop")).containsExactly("ALL");
        assertThat(AgentCapabilities.normalize(Tree.list(agent, "cap_add")))
                .containsExactlyInAnyOrderElementsOf(AgentCapabilities.DEFAULT);
        assertThat(String.valueOf(agent.get("security_opt")))
                .as("no-new-privileges would disable the image's file capabilities")
                .doesNotContain("no-new-privileges");
        String httpPort = environment(agent).get("FLUXTAP_HTTP_PORT");
        assertThat(Tree.list(agent, "healthcheck", "test")).containsSubsequence(httpPort, "/liveness");
        assertThat(agent).doesNotContainKey("ports");
    }

    @Test
    void bothServicesReadTheTokenFromAComposeSecretThatGitIgnores() {
        for (String service : List.of("aggregator", "agent")) {
            Map<String, Object> definition = compose.service(service);
            String secret = String.valueOf(Tree.list(definition, "secrets").get(0));
            assertThat(environment(definition)).containsEntry("FLUXTAP_AUTH_TOKEN_FILE", "/run/secrets/" + secret);
            assertThat(Tree.string(compose.root, "secrets", secret, "file")).startsWith("./secrets/");
        }
        assertThat(RepositoryFiles.read(RepositoryFiles.COMPOSE_DIR.resolve(".gitignore"))).contains("/secrets/");
    }

    @Test
    void allNamespacesOverrideAddsExactlySysAdminToTheAgent() {
        ComposeFile override = ComposeFile.load(ComposeFile.ALL_NAMESPACES_OVERRIDE);

        assertThat(Tree.map(override.root, "services")).containsOnlyKeys("agent");
        assertThat(override.service("agent")).containsOnlyKeys("cap_add");
        assertThat(AgentCapabilities.normalize(Tree.list(override.service("agent"), "cap_add")))
                .containsExactly(AgentCapabilities.NAMESPACES_OPT_IN);
    }

    private static void assertNonRootReadOnly(Map<String, Object> service) {
        String user = String.valueOf(service.get("user"));
        assertThat(user).matches("\\d+:\\d+");
        assertThat(Integer.parseInt(user.split(":")[0])).as("uid").isPositive();
        assertThat(Integer.parseInt(user.split(":")[1])).as("gid").isPositive();
        assertThat(service.get("read_only")).isEqualTo(true);
        assertThat(Tree.list(service, "tmpfs")).contains("/tmp");
    }

    /** {@code NAME://host:port,...} → name → port. */
    private static Map<String, Integer> listenerPorts(String listeners) {
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (String listener : listeners.split(",")) {
            String[] nameAndAddress = listener.split("://");
            ports.put(nameAndAddress[0], Integer.parseInt(nameAndAddress[1].substring(nameAndAddress[1].lastIndexOf(':') + 1)));
        }
        return ports;
    }

    /** {@code NAME://host:port,...} → name → host:port. */
    private static Map<String, String> listenerHosts(String listeners) {
        Map<String, String> hosts = new LinkedHashMap<>();
        for (String listener : listeners.split(",")) {
            String[] nameAndAddress = listener.split("://");
            hosts.put(nameAndAddress[0], nameAndAddress[1]);
        }
        return hosts;
    }
}
