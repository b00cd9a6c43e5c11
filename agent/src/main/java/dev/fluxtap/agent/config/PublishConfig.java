package dev.fluxtap.agent.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Batching and Kafka producer settings.
 *
 * @param bootstrapServers   Kafka bootstrap servers, host:port[,host:port...]
 * @param queueCapacity      summaries the capture-to-sender queue holds (rounded up to a power of two); more are dropped and counted
 * @param batchMaxSummaries  a batch is closed at this many summaries ...
 * @param batchMaxBytes      ... or at about this many encoded bytes ...
 * @param batchLinger        ... or when its oldest summary waited this long
 * @param maxInFlight        reactor-kafka records in flight (its default, 256, caps a producer near 26k records/s)
 * @param producerLinger     Kafka producer linger.ms
 * @param producerBatchBytes Kafka producer batch.size
 * @param sendTimeout        Kafka delivery.timeout.ms without a spool: a batch not acknowledged by then counts as lost
 * @param pendingBatches     batches waiting for the producer; more are counted as lost
 * @param shutdownTimeout    how long stop waits for queued summaries to be sent
 * @param wireFormat         how batches are written: columns ({@code PacketColumns}) or rows ({@code PacketBatch}, for old aggregators)
 */
public record PublishConfig(String bootstrapServers, int queueCapacity, int batchMaxSummaries, int batchMaxBytes, Duration batchLinger,
                            int maxInFlight, Duration producerLinger, int producerBatchBytes, Duration sendTimeout, int pendingBatches,
                            Duration shutdownTimeout, WireFormat wireFormat) {

    public PublishConfig {
        bootstrapServers = Objects.requireNonNullElse(bootstrapServers, "").trim();
        ConfigException.check(!bootstrapServers.isEmpty(), "bootstrap-servers", "is required (host:port of the Kafka brokers)");
        for (String server : bootstrapServers.split(",")) {
            String s = server.trim();
            int colon = s.lastIndexOf(':');
            ConfigException.check(colon > 0 && colon < s.length() - 1, "bootstrap-servers", "expected host:port[,host:port...], got '" + bootstrapServers + "'");
            try {
                ConfigException.range(Integer.parseInt(s.substring(colon + 1)), 1, 65535, "bootstrap-servers");
            } catch (NumberFormatException e) {
                throw new ConfigException("bootstrap-servers", "port is not a number in '" + s + "'");
            }
        }
        ConfigException.range(queueCapacity, 1024, 16_777_216, "queue-capacity");
        ConfigException.range(batchMaxSummaries, 1, 100_000, "batch-max-summaries");
        ConfigException.range(batchMaxBytes, 1024, 8 * 1024 * 1024, "batch-max-bytes");
        ConfigException.positive(batchLinger, "batch-linger");
        ConfigException.range(maxInFlight, 1, 1_000_000, "max-in-flight");
        ConfigException.check(producerLinger != null && !producerLinger.isNegative(), "producer-linger", "must not be negative");
        ConfigException.range(producerBatchBytes, 1024, 64 * 1024 * 1024, "producer-batch-bytes");
        ConfigException.positive(sendTimeout, "send-timeout");
        ConfigException.range(pendingBatches, 16, 1_000_000, "pending-batches");
        ConfigException.positive(shutdownTimeout, "shutdown-timeout");
        ConfigException.check(wireFormat != null, "wire-format", "is required: columns or rows");
    }

    public static PublishConfig defaults() {
        return new PublishConfig("localhost:9092", 262_144, 1000, 64 * 1024, Duration.ofMillis(100), 8192, Duration.ofMillis(5), 64 * 1024,
                Duration.ofSeconds(120), 4096, Duration.ofSeconds(10), WireFormat.COLUMNS);
    }

    public PublishConfig withBootstrapServers(String servers) {
        return new PublishConfig(servers, queueCapacity, batchMaxSummaries, batchMaxBytes, batchLinger, maxInFlight, producerLinger,
                producerBatchBytes, sendTimeout, pendingBatches, shutdownTimeout, wireFormat);
    }
}
