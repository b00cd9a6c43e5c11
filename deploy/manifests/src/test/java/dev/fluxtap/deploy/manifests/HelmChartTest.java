package dev.fluxtap.deploy.manifests;

import static dev.fluxtap.deploy.manifests.RenderedChart.FULLNAME;
import static dev.fluxtap.deploy.manifests.RenderedChart.container;
import static dev.fluxtap.deploy.manifests.RenderedChart.env;
import static dev.fluxtap.deploy.manifests.RenderedChart.podSpec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import dev.fluxtap.schemas.Topics;
import java.io.IOException;
import java.io.StringReader;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Renders deploy/helm/fluxtap with helm-java's bundled helm and checks what Kubernetes would run. */
class HelmChartTest {

    @Test
    void lintsCleanInStrictMode() {
        LintResult result = new Helm(RepositoryFiles.CHART_DIR).lint().strict().call();

        assertThat(result.isFailed()).as("helm lint --strict: %s", result.getMessages()).isFalse();
        assertThat(result.getMessages()).noneMatch(message -> message.contains("[WARNING]") || message.contains("[ERROR]"));
    }

    @Nested
    class WithDefaultValues {
        static RenderedChart chart;

        @BeforeAll
        static void render() {
            chart = RenderedChart.render();
        }

        @Test
        void rendersTheAgentAggregatorServiceAndTopicsJobButNoMonitors() {
            assertThat(chart.has("DaemonSet")).isTrue();
            assertThat(chart.has("Deployment")).isTrue();
            assertThat(chart.one("Service", FULLNAME + "-aggregator")).isNotNull();
            assertThat(chart.has("Job")).isTrue();
            assertThat(chart.has("ServiceMonitor")).as("ServiceMonitor is off by default").isFalse();
            assertThat(chart.has("PodMonitor")).isFalse();
            assertThat(chart.has("Secret")).as("the token Secret is the operator's (auth.existingSecret)").isFalse();
        }

        @Test
        void agentRunsInTheNodesNetworkAndPidNamespaceWithClusterDns() {
            Map<String, Object> pod = podSpec(chart.agentDaemonSet());

            assertThat(pod.get("hostNetwork")).isEqualTo(true);
            assertThat(pod.get("hostPID")).isEqualTo(true);
            assertThat(pod.get("dnsPolicy")).isEqualTo("ClusterFirstWithHostNet");
            assertThat(pod.get("automountServiceAccountToken")).isEqualTo(false);
            assertThat(pod).doesNotContainKey("hostIPC");
            assertThat(Tree.maps(pod, "volumes")).noneMatch(volume -> volume.containsKey("hostPath"));
        }

        @Test
        void agentToleratesEveryTaint() {
            assertThat(Tree.maps(podSpec(chart.agentDaemonSet()), "tolerations"))
                    .containsExactly(Map.of("operator", "Exists"));
        }

        @Test
        void agentHasExactlyItsCapabilitiesAfterDroppingAll() {
            Map<String, Object> security = Tree.map(container(chart.agentDaemonSet(), "agent"), "securityContext");

            assertThat(Tree.list(security, "capabilities", "drop")).containsExactly("ALL");
            assertThat(AgentCapabilities.normalize(Tree.list(security, "capabilities", "add")))
                    .containsExactlyInAnyOrderElementsOf(AgentCapabilities.DEFAULT);
            assertThat(security.get("runAsNonRoot")).isEqualTo(true);
            assertThat(security.get("readOnlyRootFilesystem")).isEqualTo(true);
            assertThat(security.get("privileged")).as("never privileged").isNotEqualTo(true);
            // File capabilities on java/ss/nsenter are how a non-root process gets the added capabilities, and
            // no_new_privs (allowPrivilegeEscalation: false) would disable them; see the template's comment.
            assertThat(security.get("allowPrivilegeEscalation")).isEqualTo(true);
        }

        @Test
        void podsRunAsANonRootUserWithTheRuntimeSeccompProfile() {
            for (Map<String, Object> workload : List.of(chart.agentDaemonSet(), chart.aggregatorDeployment())) {
                Map<String, Object> pod = Tree.map(podSpec(workload), "securityContext");
                assertThat(pod.get("runAsNonRoot")).isEqualTo(true);
                assertThat((Integer) pod.get("runAsUser")).isPositive();
                assertThat((Integer) pod.get("runAsGroup")).isPositive();
                assertThat(Tree.string(pod, "seccompProfile", "type")).isEqualTo("RuntimeDefault");
            }
        }

        @Test
        void agentProbesHitTheHttpPortTheAgentIsToldToListenOn() {
            Map<String, Object> agent = container(chart.agentDaemonSet(), "agent");
            List<Object> args = Tree.list(agent, "args");
            String httpPort = String.valueOf(args.get(args.indexOf("--http-port") + 1));

            assertThat(args.get(0)).isEqualTo("run");
            assertThat(String.valueOf(Tree.named(Tree.maps(agent, "ports"), "http").get("containerPort"))).isEqualTo(httpPort);
            assertThat(Tree.string(agent, "livenessProbe", "httpGet", "path")).isEqualTo("/liveness");
            assertThat(Tree.string(agent, "livenessProbe", "httpGet", "port")).isEqualTo("http");
            assertThat(Tree.string(agent, "readinessProbe", "httpGet", "path")).isEqualTo("/readiness");
            assertThat(Tree.string(agent, "readinessProbe", "httpGet", "port")).isEqualTo("http");
            assertThat(args).containsSubsequence("--interface", "any").containsSubsequence("--snaplen", "128");
        }

        @Test
        void agentIsNamedAfterItsNodeAndHasBoundedResources() {
            Map<String, Object> agent = container(chart.agentDaemonSet(), "agent");
            Map<String, Object> agentId = Tree.named(Tree.maps(agent, "env"), "FLUXTAP_AGENT_ID");

            assertThat(Tree.string(agentId, "valueFrom", "fieldRef", "fieldPath")).isEqualTo("spec.nodeName");
            assertThat(Tree.map(agent, "resources", "requests")).containsKeys("cpu", "memory");
            assertThat(Tree.map(agent, "resources", "limits")).containsKey("memory");
        }

        @Test
        void aggregatorHasStartupLivenessAndReadinessProbesAndNoCapabilities() {
            Map<String, Object> deployment = chart.aggregatorDeployment();
            Map<String, Object> aggregator = container(deployment, "aggregator");
            Map<String, Object> security = Tree.map(aggregator, "securityContext");

            assertThat(Tree.at(deployment, "spec", "replicas")).isEqualTo(1);
            assertThat(Tree.string(aggregator, "startupProbe", "httpGet", "path")).isEqualTo("/liveness");
            assertThat(Tree.string(aggregator, "livenessProbe", "httpGet", "path")).isEqualTo("/liveness");
            assertThat(Tree.string(aggregator, "readinessProbe", "httpGet", "path")).isEqualTo("/readiness");
            assertThat(Tree.list(security, "capabilities", "drop")).containsExactly("ALL");
            assertThat(Tree.map(security, "capabilities")).doesNotContainKey("add");
            assertThat(security.get("allowPrivilegeEscalation")).isEqualTo(false);
            assertThat(security.get("readOnlyRootFilesystem")).isEqualTo(true);
            assertThat(security.get("runAsNonRoot")).isEqualTo(true);
            assertThat(podSpec(deployment)).doesNotContainKeys("hostNetwork", "hostPID");
        }

        @Test
        void serviceSelectsTheAggregatorPodsOnTheirHttpPort() {
            Map<String, Object> service = chart.one("Service", FULLNAME + "-aggregator");
            Map<String, Object> podLabels = Tree.map(chart.aggregatorDeployment(), "spec", "template", "metadata", "labels");
            Map<String, Object> port = Tree.named(Tree.maps(service, "spec", "ports"), "http");

            assertThat(podLabels).containsAllEntriesOf(Tree.map(service, "spec", "selector"));
            assertThat(port.get("targetPort")).isEqualTo("http");
            assertThat(Tree.map(chart.agentDaemonSet(), "spec", "template", "metadata", "labels"))
                    .as("the Service must not select agents")
                    .doesNotContainEntry("app.kubernetes.io/component", "aggregator");
        }

        @Test
        void bothReadTheTokenFromTheMountedSecretFile() {
            for (Map<String, Object> workload : List.of(chart.agentDaemonSet(), chart.aggregatorDeployment())) {
                Map<String, Object> container = Tree.maps(podSpec(workload), "containers").get(0);
                assertThat(env(container, "FLUXTAP_AUTH_TOKEN_FILE"))
                        .isEqualTo(secretFilePath(workload, container, "fluxtap-auth", "token"));
            }
        }

        @Test
        void noPlainTextSecretsInEnvironmentVariables() {
            for (Map<String, Object> workload : List.of(chart.agentDaemonSet(), chart.aggregatorDeployment())) {
                Map<String, Object> container = Tree.maps(podSpec(workload), "containers").get(0);
                assertThat(Tree.maps(container, "env"))
                        .extracting(e -> (String) e.get("name"))
                        .noneMatch(name -> name.contains("TOKEN") && !name.endsWith("_FILE"))
                        .noneMatch(name -> name.contains("PASSWORD"));
            }
        }

        @Test
        void topicsJobCreatesEveryContractTopicWithIntegerRetention() {
            Map<String, Object> job = chart.all("Job").get(0);
            String script = String.valueOf(Tree.list(container(job, "create-topics"), "args").get(0));

            for (String topic : Topics.ALL) {
                assertThat(script).contains("--topic " + topic + " ");
            }
            assertThat(script).contains("--topic " + Topics.AGENTS + " --partitions 3 --config cleanup.policy=compact");
            Matcher retention = Pattern.compile("retention\\.ms=(\\S+)").matcher(script);
            int found = 0;
            while (retention.find()) {
                assertThat(retention.group(1)).as("Kafka rejects retention.ms in float notation").matches("\\d+");
                found++;
            }
            assertThat(found).isEqualTo(5);
            Map<String, Object> security = Tree.map(container(job, "create-topics"), "securityContext");
            assertThat(security.get("allowPrivilegeEscalation")).isEqualTo(false);
            assertThat(Tree.list(security, "capabilities", "drop")).containsExactly("ALL");
        }
    }

    @Test
    void notesTellHowToReachTheDashboardAndWhatTheAgentsHold() {
        String output = new Helm(RepositoryFiles.CHART_DIR).install().withName(RenderedChart.RELEASE)
                .withNamespace(RenderedChart.NAMESPACE).clientOnly().dryRun().call().getOutput();

        assertThat(output).contains("kubectl -n telemetry port-forward svc/" + FULLNAME + "-aggregator 8080:8080")
                .contains("get secret fluxtap-auth")
                .contains("Capabilities: NET_RAW NET_ADMIN SYS_PTRACE DAC_READ_SEARCH (everything else dropped)")
                .contains("pod-security.kubernetes.io/enforce=privileged");
    }

    @Test
    void optingInToAllNamespacesAddsExactlySysAdmin() {
        RenderedChart chart = RenderedChart.render(Map.of("agent.tcpStats.allNamespaces", true));

        assertThat(AgentCapabilities.normalize(
                Tree.list(container(chart.agentDaemonSet(), "agent"), "securityContext", "capabilities", "add")))
                .containsExactlyInAnyOrderElementsOf(AgentCapabilities.withOptIn());
    }

    @Test
    void serviceMonitorAndPodMonitorScrapeMetricsWithTheToken() {
        RenderedChart chart = RenderedChart.render(Map.of("metrics.serviceMonitor.enabled", true));

        Map<String, Object> serviceMonitor = chart.one("ServiceMonitor", FULLNAME + "-aggregator");
        Map<String, Object> endpoint = Tree.maps(serviceMonitor, "spec", "endpoints").get(0);
        assertThat(endpoint).containsEntry("port", "http").containsEntry("path", "/metrics");
        assertThat(Tree.string(endpoint, "authorization", "credentials", "name")).isEqualTo("fluxtap-auth");
        assertThat(Tree.map(serviceMonitor, "spec", "selector", "matchLabels"))
                .isEqualTo(Tree.map(chart.one("Service", FULLNAME + "-aggregator"), "spec", "selector"));

        Map<String, Object> podMonitor = chart.one("PodMonitor", FULLNAME + "-agent");
        assertThat(Tree.maps(podMonitor, "spec", "podMetricsEndpoints").get(0))
                .containsEntry("port", "http").containsEntry("path", "/metrics");
        assertThat(Tree.map(chart.agentDaemonSet(), "spec", "template", "metadata", "labels"))
                .containsAllEntriesOf(Tree.map(podMonitor, "spec", "selector", "matchLabels"));
    }

    @Test
    void aGivenTokenBecomesTheChartsOwnSecret() {
        RenderedChart chart = RenderedChart.render(Map.of("auth.token", "s3cr3t-t0ken"));

        Map<String, Object> secret = chart.one("Secret", FULLNAME + "-auth");
        assertThat(Tree.string(secret, "data", "token")).isEqualTo("czNjcjN0LXQwa2Vu");
        Map<String, Object> aggregator = container(chart.aggregatorDeployment(), "aggregator");
        assertThat(env(aggregator, "FLUXTAP_AUTH_TOKEN_FILE"))
                .isEqualTo(secretFilePath(chart.aggregatorDeployment(), aggregator, FULLNAME + "-auth", "token"));
        assertThat(chart.yaml).as("the token appears only base64-encoded in the Secret").doesNotContain("s3cr3t-t0ken");
    }

    @Test
    void authDisabledMountsNoToken() {
        RenderedChart chart = RenderedChart.render(Map.of("auth.enabled", false));

        Map<String, Object> aggregator = container(chart.aggregatorDeployment(), "aggregator");
        assertThat(env(aggregator, "FLUXTAP_AUTH_TOKEN_FILE")).isNull();
        assertThat(Tree.maps(podSpec(chart.aggregatorDeployment()), "volumes")).noneMatch(v -> v.containsKey("secret"));
    }

    @Test
    void tlsAndSaslAreWiredFromSecretsWithoutPuttingPasswordsInTheConfigMap() throws IOException {
        Map<String, Object> sets = new LinkedHashMap<>();
        sets.put("kafka.bootstrapServers", "kafka-0.kafka:9093,kafka-1.kafka:9093");
        sets.put("kafka.tls.enabled", true);
        sets.put("kafka.tls.truststore.existingSecret", "kafka-ca");
        sets.put("kafka.tls.keystore.existingSecret", "fluxtap-client-cert");
        sets.put("kafka.sasl.enabled", true);
        sets.put("kafka.sasl.mechanism", "SCRAM-SHA-256");
        sets.put("kafka.sasl.jaas.existingSecret", "fluxtap-kafka-user");
        RenderedChart chart = RenderedChart.render(sets);

        Properties client = new Properties();
        client.load(new StringReader(Tree.string(chart.one("ConfigMap", FULLNAME + "-kafka-client"), "data", "client.properties")));
        assertThat(client.getProperty("security.protocol")).isEqualTo("SASL_SSL");
        assertThat(client.getProperty("sasl.mechanism")).isEqualTo("SCRAM-SHA-256");
        assertThat(client.getProperty("config.providers.dir.class"))
                .isEqualTo("org.apache.kafka.common.config.provider.DirectoryConfigProvider");
        assertThat(client.getProperty("ssl.truststore.password")).startsWith("${dir:");
        assertThat(client.getProperty("ssl.keystore.password")).startsWith("${dir:");
        assertThat(client.getProperty("sasl.jaas.config")).startsWith("${dir:");

        for (Map<String, Object> workload : List.of(chart.agentDaemonSet(), chart.aggregatorDeployment(), chart.all("Job").get(0))) {
            Map<String, Object> container = Tree.maps(podSpec(workload), "containers").get(0);
            assertThat(client.getProperty("ssl.truststore.location"))
                    .isEqualTo(secretFilePath(workload, container, "kafka-ca", "truststore.p12"));
            assertThat(client.getProperty("ssl.keystore.location"))
                    .isEqualTo(secretFilePath(workload, container, "fluxtap-client-cert", "keystore.p12"));
            assertThat(directoryProviderPath(client.getProperty("ssl.truststore.password")))
                    .isEqualTo(secretFilePath(workload, container, "kafka-ca", "truststore.password"));
            assertThat(directoryProviderPath(client.getProperty("sasl.jaas.config")))
                    .isEqualTo(secretFilePath(workload, container, "fluxtap-kafka-user", "sasl.jaas.config"));
        }
        for (Map<String, Object> workload : List.of(chart.agentDaemonSet(), chart.aggregatorDeployment())) {
            Map<String, Object> container = Tree.maps(podSpec(workload), "containers").get(0);
            assertThat(env(container, "FLUXTAP_KAFKA_PROPERTIES_FILE"))
                    .isEqualTo(configMapFilePath(workload, container, FULLNAME + "-kafka-client", "client.properties"));
            assertThat(env(container, "FLUXTAP_BOOTSTRAP_SERVERS")).isEqualTo("kafka-0.kafka:9093,kafka-1.kafka:9093");
        }
        String script = String.valueOf(Tree.list(container(chart.all("Job").get(0), "create-topics"), "args").get(0));
        assertThat(script).contains("--command-config /etc/fluxtap/kafka/client.properties");
    }

    @Test
    void plaintextKafkaNeedsNoClientPropertiesFile() {
        RenderedChart chart = RenderedChart.render();

        assertThat(chart.all("ConfigMap")).noneMatch(c -> Tree.string(c, "metadata", "name").endsWith("-kafka-client"));
        assertThat(env(container(chart.aggregatorDeployment(), "aggregator"), "FLUXTAP_KAFKA_PROPERTIES_FILE")).isNull();
    }

    @Test
    void extraConfigBecomesAMountedYamlFileNamedByFluxtapConfig() {
        RenderedChart chart = RenderedChart.render(Map.of("aggregator.config.flow-idle-timeout-tcp", "300s"));

        Map<String, Object> aggregator = container(chart.aggregatorDeployment(), "aggregator");
        String file = configMapFilePath(chart.aggregatorDeployment(), aggregator, FULLNAME + "-aggregator-config", "aggregator.yaml");
        assertThat(env(aggregator, "FLUXTAP_CONFIG")).isEqualTo(file);
        assertThat(Tree.string(chart.one("ConfigMap", FULLNAME + "-aggregator-config"), "data", "aggregator.yaml"))
                .contains("flow-idle-timeout-tcp: 300s");
    }

    @ParameterizedTest(name = "replicas={0}, partitions={1}")
    @CsvSource({"6, 6", "8, 12", "1, 1"})
    void aggregatorReplicasUpToThePartitionCountRender(int replicas, int partitions) {
        RenderedChart chart = RenderedChart.render(Map.of(
                "aggregator.replicas", replicas, "kafka.topics.packets.partitions", partitions));

        assertThat(Tree.at(chart.aggregatorDeployment(), "spec", "replicas")).isEqualTo(replicas);
    }

    @Test
    void moreAggregatorReplicasThanPartitionsFailsNamingTheSettings() {
        assertThatThrownBy(() -> RenderedChart.render(Map.of("aggregator.replicas", 7)))
                .hasMessageContaining("aggregator.replicas (7) exceeds kafka.topics.packets.partitions (6)");
    }

    @Test
    void saslWithoutItsSecretFailsNamingTheSetting() {
        assertThatThrownBy(() -> RenderedChart.render(Map.of("kafka.sasl.enabled", true)))
                .hasMessageContaining("kafka.sasl.jaas.existingSecret");
    }

    @Test
    void authWithoutSecretOrTokenFailsNamingTheSetting() {
        assertThatThrownBy(() -> RenderedChart.render(Map.of("auth.existingSecret", "")))
                .hasMessageContaining("auth.existingSecret");
    }

    @Test
    void valuesSchemaRejectsNonsense() {
        assertThatThrownBy(() -> RenderedChart.render(Map.of("aggregator.replicas", 0)))
                .hasMessageContaining("schema").hasMessageContaining("aggregator.replicas");
        assertThatThrownBy(() -> RenderedChart.render(Map.of("kafka.sasl.mechanism", "SCRAM-SHA-1")))
                .hasMessageContaining("schema").hasMessageContaining("kafka.sasl.mechanism");
        assertThatThrownBy(() -> RenderedChart.render(Map.of("kafka.bootstrapServers", "kafka")))
                .as("a bootstrap server needs a port")
                .hasMessageContaining("schema").hasMessageContaining("kafka.bootstrapServers");
    }

    /** Where a key of a Secret appears in a container's filesystem, following volumes and mounts. */
    private static String secretFilePath(Map<String, Object> workload, Map<String, Object> container, String secret, String key) {
        Map<String, Object> volume = Tree.maps(podSpec(workload), "volumes").stream()
                .filter(v -> v.get("secret") instanceof Map<?, ?> s && secret.equals(s.get("secretName")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no volume of Secret " + secret));
        return mountedFile(container, volume, key);
    }

    private static String configMapFilePath(Map<String, Object> workload, Map<String, Object> container, String configMap, String key) {
        Map<String, Object> volume = Tree.maps(podSpec(workload), "volumes").stream()
                .filter(v -> v.get("configMap") instanceof Map<?, ?> c && configMap.equals(c.get("name")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no volume of ConfigMap " + configMap));
        return mountedFile(container, volume, key);
    }

    private static String mountedFile(Map<String, Object> container, Map<String, Object> volume, String key) {
        Map<String, Object> mount = Tree.named(Tree.maps(container, "volumeMounts"), (String) volume.get("name"));
        assertThat(mount.get("readOnly")).as("secret and config mounts are read-only").isEqualTo(true);
        return mount.get("mountPath") + "/" + key;
    }

    /** {@code ${dir:/some/dir:key}} → {@code /some/dir/key}, the file Kafka's DirectoryConfigProvider reads. */
    private static String directoryProviderPath(String reference) {
        Matcher matcher = Pattern.compile("^\\$\\{dir:([^:}]+):([^}]+)}$").matcher(reference);
        assertThat(matcher.matches()).as("a DirectoryConfigProvider reference: %s", reference).isTrue();
        return matcher.group(1) + "/" + matcher.group(2);
    }
}
