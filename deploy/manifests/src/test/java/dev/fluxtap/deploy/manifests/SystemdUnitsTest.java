package dev.fluxtap.deploy.manifests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** deploy/systemd: the units, the opt-in drop-in and the example environment files. */
class SystemdUnitsTest {
    static final String SERVICE = "Service";
    static final Path AGENT_UNIT = RepositoryFiles.SYSTEMD_DIR.resolve("fluxtap-agent.service");
    static final Path AGENT_ALL_NAMESPACES = RepositoryFiles.SYSTEMD_DIR.resolve("fluxtap-agent.service.d/all-netns.conf");
    static final Path AGGREGATOR_UNIT = RepositoryFiles.SYSTEMD_DIR.resolve("fluxtap-aggregator.service");

    static SystemdUnit load(Path file) {
        return SystemdUnit.parse(RepositoryFiles.read(file));
    }

    @Test
    void agentHasExactlyItsCapabilitiesAsAmbientAndBoundingSets() {
        SystemdUnit agent = load(AGENT_UNIT);

        assertThat(AgentCapabilities.normalize(agent.words(SERVICE, "AmbientCapabilities")))
                .containsExactlyInAnyOrderElementsOf(AgentCapabilities.DEFAULT);
        assertThat(AgentCapabilities.normalize(agent.words(SERVICE, "CapabilityBoundingSet")))
                .containsExactlyInAnyOrderElementsOf(AgentCapabilities.DEFAULT);
        assertThat(agent.value(SERVICE, "NoNewPrivileges")).as("ambient capabilities survive no_new_privs").isEqualTo("yes");
        assertThat(agent.value(SERVICE, "ExecStart")).contains("-jar /opt/fluxtap/fluxtap-agent.jar run");
        assertThat(agent.words(SERVICE, "RestrictAddressFamilies"))
                .as("AF_PACKET for capture, AF_NETLINK for ss").contains("AF_PACKET", "AF_NETLINK");
        assertThat(agent.assignments(SERVICE, "ProtectProc")).as("the agent must see every process").isEmpty();
        assertThat(agent.assignments(SERVICE, "PrivateNetwork")).as("the agent captures the host's interfaces").isEmpty();
        assertThat(agent.value(SERVICE, "RestrictNamespaces")).isEqualTo("yes");
    }

    @Test
    void allNamespacesDropInAddsExactlySysAdminAndAllowsOnlyNetworkNamespaces() {
        SystemdUnit agent = load(AGENT_UNIT);
        SystemdUnit dropIn = load(AGENT_ALL_NAMESPACES);

        assertThat(AgentCapabilities.normalize(agent.wordsWith(SERVICE, "AmbientCapabilities", dropIn)))
                .containsExactlyInAnyOrderElementsOf(AgentCapabilities.withOptIn());
        assertThat(AgentCapabilities.normalize(agent.wordsWith(SERVICE, "CapabilityBoundingSet", dropIn)))
                .containsExactlyInAnyOrderElementsOf(AgentCapabilities.withOptIn());
        assertThat(agent.wordsWith(SERVICE, "RestrictNamespaces", dropIn)).containsExactly("net");
    }

    @Test
    void aggregatorHasNoCapabilitiesAndGetsItsTokenAsACredential() {
        SystemdUnit aggregator = load(AGGREGATOR_UNIT);

        assertThat(aggregator.words(SERVICE, "CapabilityBoundingSet")).isEmpty();
        assertThat(aggregator.assignments(SERVICE, "CapabilityBoundingSet")).as("explicitly emptied").containsExactly("");
        assertThat(aggregator.words(SERVICE, "AmbientCapabilities")).isEmpty();
        assertThat(aggregator.value(SERVICE, "NoNewPrivileges")).isEqualTo("yes");
        assertThat(aggregator.value(SERVICE, "ExecStart")).contains("-jar /opt/fluxtap/fluxtap-aggregator.jar");
        String credential = aggregator.value(SERVICE, "LoadCredential");
        String credentialName = credential.substring(0, credential.indexOf(':'));
        assertThat(credential).isEqualTo(credentialName + ":/etc/fluxtap/auth-token");
        assertThat(aggregator.assignments(SERVICE, "Environment")).contains("FLUXTAP_AUTH_TOKEN_FILE=%d/" + credentialName);
        assertThat(aggregator.words(SERVICE, "RestrictAddressFamilies")).containsExactlyInAnyOrder("AF_UNIX", "AF_INET", "AF_INET6");
        assertThat(aggregator.value(SERVICE, "ProtectProc")).isEqualTo("invisible");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"agent", "aggregator"})
    void bothAreHardenedDedicatedUserServices(String component) {
        SystemdUnit unit = load(RepositoryFiles.SYSTEMD_DIR.resolve("fluxtap-" + component + ".service"));

        assertThat(unit.value(SERVICE, "User")).isEqualTo("fluxtap-" + component);
        assertThat(unit.value(SERVICE, "EnvironmentFile")).isEqualTo("/etc/fluxtap/" + component + ".env");
        assertThat(unit.value(SERVICE, "Restart")).isEqualTo("on-failure");
        assertThat(unit.value(SERVICE, "ProtectSystem")).isEqualTo("strict");
        assertThat(unit.value(SERVICE, "ProtectHome")).isEqualTo("yes");
        assertThat(unit.value(SERVICE, "PrivateTmp")).isEqualTo("yes");
        assertThat(unit.value(SERVICE, "PrivateDevices")).isEqualTo("yes");
        assertThat(unit.value(SERVICE, "SystemCallArchitectures")).isEqualTo("native");
        assertThat(unit.value(SERVICE, "SystemCallFilter")).isEqualTo("@system-service");
        assertThat(unit.value("Install", "WantedBy")).isEqualTo("multi-user.target");
        assertThat(RepositoryFiles.read(RepositoryFiles.SYSTEMD_DIR.resolve("fluxtap.sysusers.conf")))
                .containsPattern("(?m)^u fluxtap-" + component + "\\s");
    }

    @ParameterizedTest(name = "{0}.env.example")
    @ValueSource(strings = {"agent", "aggregator"})
    void exampleEnvironmentFilesSetOnlyFluxtapVariablesAndJavaOptions(String component) throws IOException {
        List<String> assignments = Files.readAllLines(RepositoryFiles.SYSTEMD_DIR.resolve(component + ".env.example")).stream()
                .filter(line -> !line.isBlank() && !line.startsWith("#"))
                .toList();
        Pattern flagVariable = Pattern.compile("FLUXTAP_[A-Z0-9]+(_[A-Z0-9]+)*=.*|JAVA_OPTS=.*");

        assertThat(assignments).isNotEmpty().allMatch(line -> flagVariable.matcher(line).matches());
        assertThat(assignments).anyMatch(line -> line.startsWith("FLUXTAP_BOOTSTRAP_SERVERS="));
        assertThat(String.join("\n", assignments)).doesNotContainIgnoringCase("token=");
    }

    @Test
    void agentExampleUsesTheSameHttpPortAsComposeAndHelm() {
        String systemdPort = RepositoryFiles.read(RepositoryFiles.SYSTEMD_DIR.resolve("agent.env.example")).lines()
                .filter(line -> line.startsWith("FLUXTAP_HTTP_PORT="))
                .findFirst()
                .orElseThrow(() -> new AssertionError("agent.env.example sets no FLUXTAP_HTTP_PORT"))
                .substring("FLUXTAP_HTTP_PORT=".length());
        String composePort = ComposeFile.environment(ComposeFile.load(ComposeFile.MAIN).service("agent")).get("FLUXTAP_HTTP_PORT");
        String helmPort = String.valueOf(Tree.named(Tree.maps(
                RenderedChart.container(RenderedChart.render().agentDaemonSet(), "agent"), "ports"), "http").get("containerPort"));

        assertThat(List.of(composePort, helmPort)).containsOnly(systemdPort);
    }

    /** systemd's own parser, where systemd is installed (Debian CI images usually have systemd-analyze). */
    @Test
    void systemdAnalyzeVerifiesTheUnitsWithTheDropIn(@TempDir Path unitDir) throws Exception {
        assumeThat(Path.of("/usr/bin/systemd-analyze")).as("systemd-analyze installed").isExecutable();
        Files.copy(AGENT_UNIT, unitDir.resolve(AGENT_UNIT.getFileName()));
        Files.copy(AGGREGATOR_UNIT, unitDir.resolve(AGGREGATOR_UNIT.getFileName()));
        Files.createDirectories(unitDir.resolve("fluxtap-agent.service.d"));
        Files.copy(AGENT_ALL_NAMESPACES, unitDir.resolve("fluxtap-agent.service.d/all-netns.conf"));

        ProcessBuilder verify = new ProcessBuilder("/usr/bin/systemd-analyze", "verify",
                unitDir.resolve("fluxtap-agent.service").toString(), unitDir.resolve("fluxtap-aggregator.service").toString())
                .redirectErrorStream(true);
        verify.environment().put("SYSTEMD_UNIT_PATH", unitDir + ":");
        Process process = verify.start();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        // Missing users and files of the target machine are not errors of the units; unknown keys and bad values are.
        assertThat(output).doesNotContain("Unknown key").doesNotContain("Failed to parse").doesNotContain("Invalid");
        assertThat(process.exitValue()).as(output).isZero();
    }
}
