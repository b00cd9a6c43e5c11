package dev.fluxtap.deploy.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Helm, Compose, systemd, the agent image's file capabilities and the operations guide must name the same agent
 * capabilities, by default and with the network-namespace opt-in; a capability added in one place only fails here.
 */
class CapabilitySetsAgreeTest {

    @Test
    void everyDeploymentGrantsTheSameCapabilities() {
        Set<String> helm = AgentCapabilities.normalize(Tree.list(
                RenderedChart.container(RenderedChart.render().agentDaemonSet(), "agent"), "securityContext", "capabilities", "add"));
        Set<String> compose = AgentCapabilities.normalize(Tree.list(ComposeFile.load(ComposeFile.MAIN).service("agent"), "cap_add"));
        SystemdUnit unit = SystemdUnitsTest.load(SystemdUnitsTest.AGENT_UNIT);
        Set<String> systemdAmbient = AgentCapabilities.normalize(unit.words("Service", "AmbientCapabilities"));
        Set<String> systemdBounding = AgentCapabilities.normalize(unit.words("Service", "CapabilityBoundingSet"));
        Set<String> image = javaFileCapabilities();
        Set<String> documented = documentedCapabilities(false);

        assertThat(Map.of("helm", helm, "compose", compose, "systemd ambient", systemdAmbient,
                "systemd bounding", systemdBounding, "agent image (java)", image, "docs/OPERATIONS.md", documented))
                .allSatisfy((where, capabilities) -> assertThat(capabilities).as(where).isEqualTo(new TreeSet<>(AgentCapabilities.DEFAULT)));
    }

    @Test
    void everyDeploymentOptsInToOtherNetworkNamespacesWithTheSameSingleCapability() {
        Set<String> helm = AgentCapabilities.normalize(Tree.list(RenderedChart.container(
                RenderedChart.render(Map.of("agent.tcpStats.allNamespaces", true)).agentDaemonSet(), "agent"),
                "securityContext", "capabilities", "add"));
        Set<String> compose = new TreeSet<>(AgentCapabilities.normalize(Tree.list(ComposeFile.load(ComposeFile.MAIN).service("agent"), "cap_add")));
        compose.addAll(AgentCapabilities.normalize(Tree.list(ComposeFile.load(ComposeFile.ALL_NAMESPACES_OVERRIDE).service("agent"), "cap_add")));
        Set<String> systemd = AgentCapabilities.normalize(SystemdUnitsTest.load(SystemdUnitsTest.AGENT_UNIT).wordsWith(
                "Service", "AmbientCapabilities", SystemdUnitsTest.load(SystemdUnitsTest.AGENT_ALL_NAMESPACES)));
        Set<String> documented = documentedCapabilities(true);

        assertThat(Map.of("helm", helm, "compose", compose, "systemd", systemd, "docs/OPERATIONS.md", documented))
                .allSatisfy((where, capabilities) -> assertThat(capabilities).as(where).isEqualTo(AgentCapabilities.withOptIn()));
    }

    private static Set<String> javaFileCapabilities() {
        String dockerfile = RepositoryFiles.read(RepositoryFiles.DOCKER_DIR.resolve("agent.Dockerfile"));
        Matcher matcher = Pattern.compile("setcap ([a-z_,]+)\\+ep /opt/java/bin/java").matcher(dockerfile);
        assertThat(matcher.find()).isTrue();
        return AgentCapabilities.normalize(List.of(matcher.group(1).split(",")));
    }

    /** Rows of the capability table in docs/OPERATIONS.md: {@code | `CAP_X` | why | what breaks |}; opt-in rows say "opt-in". */
    private static Set<String> documentedCapabilities(boolean includeOptIn) {
        String doc = RepositoryFiles.read(RepositoryFiles.OPERATIONS_DOC);
        int start = doc.indexOf("\n## Capabilities");
        assertThat(start).as("docs/OPERATIONS.md has a Capabilities section").isNotNegative();
        int end = doc.indexOf("\n## ", start + 1);
        List<String> names = new ArrayList<>();
        Matcher row = Pattern.compile("(?m)^\\| `(CAP_[A-Z_]+)` \\|(.*)$").matcher(doc.substring(start, end < 0 ? doc.length() : end));
        while (row.find()) {
            if (includeOptIn || !row.group(2).toLowerCase().contains("opt-in")) {
                names.add(row.group(1));
            }
        }
        return AgentCapabilities.normalize(names);
    }
}
