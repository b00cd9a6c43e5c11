package dev.fluxtap.aggregator.ingest;

import dev.fluxtap.aggregator.config.KafkaConfig;
import dev.fluxtap.schemas.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates the contract's missing topics at start, or says clearly why it cannot. */
public final class TopicSetup {

    private static final Logger log = LoggerFactory.getLogger(TopicSetup.class);

    private TopicSetup() {
    }

    /** @throws IllegalStateException with a one-line reason when the broker cannot be reached or refuses */
    public static void ensureTopics(KafkaConfig config) {
        short rf = (short) config.replicationFactor();
        try (Admin admin = Admin.create(config.clientConfig(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000)))) {
            Set<String> existing = admin.listTopics().names().get(20, TimeUnit.SECONDS);
            if (!config.createTopics()) {
                List<String> missing = Topics.ALL.stream().filter(t -> !existing.contains(t)).toList();
                if (!missing.isEmpty()) {
                    log.warn("topics: {} missing and --create-topics is off; the aggregator waits for them", missing);
                }
                return;
            }
            List<NewTopic> wanted = new ArrayList<>();
            wanted.add(new NewTopic(Topics.PACKETS, config.packetsPartitions(), rf));
            wanted.add(new NewTopic(Topics.TCP_STATS, config.packetsPartitions(), rf));
            wanted.add(new NewTopic(Topics.AGENTS, 1, rf).configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
            wanted.add(new NewTopic(Topics.FLOWS, config.flowsPartitions(), rf));
            // Partials are replaced every few seconds: an hour of them is plenty for a starting instance to read back.
            wanted.add(new NewTopic(Topics.AGGREGATES, 1, rf).configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, "3600000")));
            wanted.add(new NewTopic(Topics.DEADLETTER, 1, rf));
            List<NewTopic> missing = wanted.stream().filter(t -> !existing.contains(t.name())).toList();
            if (missing.isEmpty()) {
                return;
            }
            try {
                admin.createTopics(missing).all().get(20, TimeUnit.SECONDS);
                log.info("topics: created {}", missing.stream().map(NewTopic::name).toList());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
                throw new IllegalStateException("cannot reach Kafka at " + config.bootstrapServers() + " (check --bootstrap-servers): "
                        + e.getCause().getMessage(), e);
            }
            throw new IllegalStateException("cannot create the Fluxtap topics on " + config.bootstrapServers() + ": " + e.getCause().getMessage()
                    + " (create them yourself, or give the aggregator CreateTopics rights, or use --create-topics=false)", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("cannot reach Kafka at " + config.bootstrapServers() + " within 20 s (check --bootstrap-servers)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking topics", e);
        }
    }
}
