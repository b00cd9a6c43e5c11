package dev.fluxtap.aggregator.config;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/**
 * Kafka side of the aggregator.
 *
 * @param bootstrapServers  host:port list
 * @param groupId           consumer group of the input topics
 * @param commitInterval    offsets of applied records are committed at least this often
 * @param commitBatchSize   ... or after this many applied records
 * @param maxPollRecords    records per poll; ingest polls one poll ahead of processing
 * @param prefetch          records held ahead of processing per packets partition, and in the grouping before them
 * @param createTopics      create missing topics at start
 * @param packetsPartitions partitions of fluxtap.packets.v1 when created
 * @param flowsPartitions   partitions of fluxtap.flows.v1 when created
 * @param replicationFactor replication of created topics
 * @param readyMaxLag       readiness needs the consumer lag summed over its partitions to be at most this many records
 */
public record KafkaConfig(String bootstrapServers, String groupId, Duration commitInterval, int commitBatchSize, int maxPollRecords,
                          int prefetch, boolean createTopics, int packetsPartitions, int flowsPartitions, int replicationFactor,
                          long readyMaxLag, Map<String, String> clientProperties) {

    public KafkaConfig {
        Settings.nonBlank("bootstrap-servers", bootstrapServers);
        Settings.nonBlank("group-id", groupId);
        Settings.positive("commit-interval", commitInterval);
        Settings.range("commit-batch-size", commitBatchSize, 1, 1_000_000);
        Settings.range("max-poll-records", maxPollRecords, 1, 100_000);
        Settings.range("prefetch", prefetch, 1, 100_000);
        Settings.range("packets-partitions", packetsPartitions, 1, 10_000);
        Settings.range("flows-partitions", flowsPartitions, 1, 10_000);
        Settings.range("replication-factor", replicationFactor, 1, 10);
        if (readyMaxLag < 0) {
            throw new IllegalArgumentException("--ready-max-lag: must be zero or positive (got " + readyMaxLag + ")");
        }
        clientProperties = Map.copyOf(clientProperties == null ? Map.of() : clientProperties);
    }

    /** Without extra client properties. */
    public KafkaConfig(String bootstrapServers, String groupId, Duration commitInterval, int commitBatchSize, int maxPollRecords,
                       int prefetch, boolean createTopics, int packetsPartitions, int flowsPartitions, int replicationFactor,
                       long readyMaxLag) {
        this(bootstrapServers, groupId, commitInterval, commitBatchSize, maxPollRecords, prefetch, createTopics, packetsPartitions,
                flowsPartitions, replicationFactor, readyMaxLag, Map.of());
    }

    public static KafkaConfig defaults() {
        return new KafkaConfig("localhost:9092", "fluxtap-aggregator", Duration.ofSeconds(1), 1000, 500, 256, true, 6, 6, 1, 10_000);
    }

    public KafkaConfig withBootstrapServers(String servers) {
        return new KafkaConfig(servers, groupId, commitInterval, commitBatchSize, maxPollRecords, prefetch, createTopics, packetsPartitions,
                flowsPartitions, replicationFactor, readyMaxLag, clientProperties);
    }

    public KafkaConfig withGroupId(String group) {
        return new KafkaConfig(bootstrapServers, group, commitInterval, commitBatchSize, maxPollRecords, prefetch, createTopics, packetsPartitions,
                flowsPartitions, replicationFactor, readyMaxLag, clientProperties);
    }

    /**
     * Client settings for every consumer, producer and admin client: the extra properties (TLS, SASL) first, then
     * {@code own} on top, so the settings Fluxtap relies on cannot be overridden by accident.
     */
    public Map<String, Object> clientConfig(Map<String, Object> own) {
        Map<String, Object> merged = new java.util.HashMap<>(clientProperties);
        merged.putAll(own);
        return merged;
    }

    /**
     * Consumer settings of Fluxtap's own that differ from the client's defaults: below the properties file, which may
     * change them. The receive buffer is left to the OS, which grows it with the traffic (Linux: {@code tcp_rmem}), where
     * the client's fixed 64 KiB spent twice the time in socket reads at the ingest's rates (docs/BENCHMARKS.md).
     */
    static final Map<String, Object> CONSUMER_DEFAULTS = Map.of(ConsumerConfig.RECEIVE_BUFFER_CONFIG, -1);

    /** As {@link #clientConfig}, for a consumer: {@link #CONSUMER_DEFAULTS} first, then the properties file, then {@code own}. */
    public Map<String, Object> consumerConfig(Map<String, Object> own) {
        Map<String, Object> merged = new java.util.HashMap<>(CONSUMER_DEFAULTS);
        merged.putAll(clientConfig(own));
        return merged;
    }

    /** Reads a Kafka client properties file (security.protocol, ssl.*, sasl.*, config.providers ...). */
    public static Map<String, String> loadClientProperties(java.nio.file.Path file) {
        java.util.Properties p = new java.util.Properties();
        try (java.io.Reader in = java.nio.file.Files.newBufferedReader(file)) {
            p.load(in);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("--kafka-properties-file: cannot read " + file + ": " + e.getMessage(), e);
        }
        Map<String, String> m = new java.util.HashMap<>();
        p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k)));
        return m;
    }
}
