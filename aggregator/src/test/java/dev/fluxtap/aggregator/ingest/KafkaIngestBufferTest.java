package dev.fluxtap.aggregator.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fluxtap.aggregator.config.KafkaConfig;
import dev.fluxtap.aggregator.decode.AgentReport;
import dev.fluxtap.aggregator.decode.SummaryBatch;
import dev.fluxtap.aggregator.decode.TcpSnapshot;
import dev.fluxtap.aggregator.observe.AggregatorMeters;
import dev.fluxtap.aggregator.testing.AgentFixture;
import dev.fluxtap.aggregator.testing.Packets;
import dev.fluxtap.kafka.embedded.EmbeddedKafkaBroker;
import dev.fluxtap.kafka.embedded.EmbeddedKafkaConfig;
import dev.fluxtap.schemas.avro.PacketSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A backlog (an aggregator starting behind, as after an outage) is read a few polls ahead of processing, not as fast as
 * the broker hands it out: Reactor Kafka's receive prefetch counts polls, and given the record prefetch it once held
 * hundreds of polls (24 000 records of 36 KB in the pipeline bench).
 */
class KafkaIngestBufferTest {

    private static final int PARTITIONS = 3;
    private static final int MAX_POLL_RECORDS = 50;
    private static final int PREFETCH = 16;
    private static final int RECORDS = 3000;

    @Test
    void aBacklogIsHeldAFewPollsAheadOfProcessingAndAllOfItIsApplied() throws Exception {
        try (EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(EmbeddedKafkaConfig.defaults()).start()) {
            KafkaConfig config = new KafkaConfig(broker.bootstrapServers(), "buffer-test", Duration.ofSeconds(1), 1000, MAX_POLL_RECORDS,
                    PREFETCH, true, PARTITIONS, PARTITIONS, 1, 10_000);
            TopicSetup.ensureTopics(config);
            long now = System.currentTimeMillis() * 1000;
            PacketSummary summary = AgentFixture.summary(Packets.udp(now, "10.0.0.1", 5000, "10.0.0.2", 53, 40));
            AgentFixture agent = new AgentFixture(broker.bootstrapServers(), "buffer-agent", "boot", PARTITIONS);
            for (int i = 0; i < RECORDS; i++) {
                agent.sendBatch(i % PARTITIONS, i / PARTITIONS, List.of(summary));
            }
            agent.close();

            BlockingHandler handler = new BlockingHandler();
            KafkaIngest ingest = new KafkaIngest(config, handler, new AggregatorMeters(new SimpleMeterRegistry()), Clock.systemUTC(),
                    Duration.ofHours(1));
            ingest.start();
            try {
                // The workers block on their first records; the receiver reads what its bounds allow, then pauses.
                await().atMost(Duration.ofSeconds(30)).until(() -> ingest.bufferedRecords() >= MAX_POLL_RECORDS);
                // At most: the poll being handed on, the one polled ahead and one in between; the grouping's queue and
                // each partition's queue hold the prefetch.
                long bound = 3L * MAX_POLL_RECORDS + (PARTITIONS + 1L) * PREFETCH;
                AtomicLong most = new AtomicLong();
                await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                        assertThat(most.accumulateAndGet(ingest.bufferedRecords(), Math::max)).as("records held ahead of processing")
                                .isLessThanOrEqualTo(bound));

                handler.release.countDown();
                await().atMost(Duration.ofSeconds(60)).until(() -> handler.applied.get() == RECORDS);
                await().atMost(Duration.ofSeconds(10)).until(() -> ingest.bufferedRecords() == 0);
                assertThat(handler.lost.get()).isZero();
            } finally {
                handler.release.countDown();
                ingest.stop(Duration.ofSeconds(10));
            }
        }
    }

    /** Holds every packets batch until released, then counts it. */
    private static final class BlockingHandler implements IngestHandler {
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicLong applied = new AtomicLong();
        final AtomicLong lost = new AtomicLong();

        @Override
        public void onPackets(int kafkaPartition, SummaryBatch batch, boolean replay) {
            try {
                if (!release.await(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("never released");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            applied.incrementAndGet();
        }

        @Override
        public void onTcpStats(TcpSnapshot snapshot) {
        }

        @Override
        public void onAgentStatus(AgentReport report) {
        }

        @Override
        public void onLostBatches(int kafkaPartition, String agentId, long count) {
            lost.addAndGet(count);
        }

        @Override
        public void onDuplicateBatch(int kafkaPartition, String agentId) {
        }

        @Override
        public void onPartitionAssigned(int kafkaPartition) {
        }

        @Override
        public void onPartitionRevoked(int kafkaPartition) {
        }

        @Override
        public void flushExports() {
        }
    }
}
