package dev.fluxtap.aggregator.config;

import java.time.Duration;

/**
 * Kafka side of the aggregator.
 *
 * @param bootstrapServers  host:port list
 * @param groupId           consumer group of the input topics
 * @param commitInterval    offsets of applied records are committed at least this often
 * @param commitBatchSize   ... or after this many applied records
 * @param maxPollRecords    records per poll (bounds the receiver's buffer together with the prefetch)
 * @param prefetch          records the receiver may hold ahead of processing
 * @param createTopics      create missing topics at start
 * @param packetsPartitions partitions of fluxtap.packets.v1 when created
 * @param flowsPartitions   partitions of fluxtap.flows.v1 when created
 * @param replicationFactor replication of created topics
 * @param readyMaxLag       readiness needs the consumer lag summed over its partitions to be at most this many records
 */
public record KafkaConfig(String bootstrapServers, String groupId, Duration commitInterval, int commitBatchSize, int maxPollRecords,
                          int prefetch, boolean createTopics, int packetsPartitions, int flowsPartitions, int replicationFactor,
                          long readyMaxLag) {

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
    }

    public static KafkaConfig defaults() {
        return new KafkaConfig("localhost:9092", "fluxtap-aggregator", Duration.ofSeconds(1), 1000, 500, 256, true, 6, 6, 1, 10_000);
    }

    public KafkaConfig withBootstrapServers(String servers) {
        return new KafkaConfig(servers, groupId, commitInterval, commitBatchSize, maxPollRecords, prefetch, createTopics, packetsPartitions,
                flowsPartitions, replicationFactor, readyMaxLag);
    }
}
