package dev.fluxtap.deploy.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fluxtap.schemas.Topics;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** docs/OPERATIONS.md must describe the topics the deployments create, with the same partitions and retention. */
class OperationsDocTest {
    /** Topic → its key under kafka.topics in the Helm values. */
    private static final Map<String, String> HELM_KEYS = Map.of(
            Topics.PACKETS, "packets", Topics.TCP_STATS, "tcpstats", Topics.AGENTS, "agents",
            Topics.FLOWS, "flows", Topics.AGGREGATES, "aggregates", Topics.DEADLETTER, "deadletter");
    private static final Pattern DOC_ROW = Pattern.compile(
            "(?m)^\\| `(fluxtap\\.[a-z]+\\.v\\d+)` \\|[^|]*\\| (\\d+) \\| (delete, (\\d+) ms[^|]*|compact) \\|");

    private record TopicSettings(int partitions, Long retentionMs) {
    }

    private final String doc = RepositoryFiles.read(RepositoryFiles.OPERATIONS_DOC);

    @Test
    void topicTableMatchesTheContractAndBothDeployments() {
        Map<String, TopicSettings> documented = documentedTopics();

        assertThat(documented.keySet()).containsExactlyElementsOf(Topics.ALL);
        assertThat(helmTopics()).isEqualTo(documented);
        assertThat(composeTopics()).isEqualTo(documented);
    }

    @Test
    void hasTheSectionsOperatorsLookFor() {
        assertThat(doc).contains("\n## Sizing", "\n## Capabilities", "\n## Topics, partitions and retention",
                "\n## Deploying", "\n## Troubleshooting", "\n## Configuration reference");
        assertThat(doc).contains("### Capture drops", "### Completeness below 100 %", "### Consumer lag",
                "### Poison records in the dead-letter topic", "### Kafka unreachable");
        assertThat(doc).doesNotContain("TODO").doesNotContain("FIXME");
        assertThat(doc).as("says the container files were not run here").contains("have **not** been built");
    }

    private Map<String, TopicSettings> documentedTopics() {
        Map<String, TopicSettings> topics = new LinkedHashMap<>();
        Matcher row = DOC_ROW.matcher(doc);
        while (row.find()) {
            topics.put(row.group(1), new TopicSettings(Integer.parseInt(row.group(2)),
                    row.group(4) == null ? null : Long.parseLong(row.group(4))));
        }
        return topics;
    }

    private static Map<String, TopicSettings> helmTopics() {
        Map<String, Object> values = new Yaml(new SafeConstructor(new LoaderOptions()))
                .load(RepositoryFiles.read(RepositoryFiles.CHART_DIR.resolve("values.yaml")));
        Map<String, TopicSettings> topics = new LinkedHashMap<>();
        for (String topic : Topics.ALL) {
            Map<String, Object> settings = Tree.map(values, "kafka", "topics", HELM_KEYS.get(topic));
            Object retention = settings.get("retentionMs");
            topics.put(topic, new TopicSettings((Integer) settings.get("partitions"),
                    retention == null ? null : ((Number) retention).longValue()));
        }
        return topics;
    }

    private static Map<String, TopicSettings> composeTopics() {
        String script = ComposeFile.withDefaults(String.valueOf(
                Tree.list(ComposeFile.load(ComposeFile.MAIN).service("kafka-init"), "command").get(0)));
        Map<String, TopicSettings> topics = new LinkedHashMap<>();
        Matcher line = Pattern.compile("(?m)--topic (\\S+)\\s+--partitions (\\d+)(?:.*?retention\\.ms=(\\d+))?.*$").matcher(script);
        while (line.find()) {
            topics.put(line.group(1), new TopicSettings(Integer.parseInt(line.group(2)),
                    line.group(3) == null ? null : Long.parseLong(line.group(3))));
        }
        return topics;
    }
}
