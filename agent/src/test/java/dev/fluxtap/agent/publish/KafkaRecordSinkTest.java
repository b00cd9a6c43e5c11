package dev.fluxtap.agent.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.fluxtap.agent.config.PublishConfig;
import dev.fluxtap.agent.config.WireFormat;
import dev.fluxtap.agent.spool.DiskSpool;
import dev.fluxtap.agent.summarize.PacketSummary;
import dev.fluxtap.kafka.embedded.EmbeddedKafkaBroker;
import dev.fluxtap.kafka.embedded.EmbeddedKafkaConfig;
import dev.fluxtap.schemas.Topics;
import dev.fluxtap.schemas.avro.PacketBatch;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

/**
 * Against a real broker that stops and comes back: a send that fails goes to the spool (or is counted as lost without
 * one), never silent, and the spool is sent once the broker is back, in order; a stop is no outage.
 */
class KafkaRecordSinkTest {

    private static final PacketSummary SUMMARY = new PacketSummary(1, 0, 4, 17, 0, 1, 0, 2, 10, 20, 28, 64, 0, 0, 0, 0, 0, 0, 0);
    private static final BatchIdentity IDENTITY = new BatchIdentity("sink-test", "boot", List.of("eth0"));

    @TempDir
    Path dir;

    private static PublishConfig config(String bootstrap) {
        return config(bootstrap, PublishConfig.defaults().wireFormat());
    }

    private static PublishConfig config(String bootstrap, WireFormat format) {
        PublishConfig d = PublishConfig.defaults();
        return new PublishConfig(bootstrap, d.queueCapacity(), d.batchMaxSummaries(), d.batchMaxBytes(), d.batchLinger(), d.maxInFlight(),
                d.producerLinger(), d.producerBatchBytes(), Duration.ofSeconds(4), d.pendingBatches(), Duration.ofSeconds(5), format);
    }

    @ParameterizedTest
    @EnumSource(WireFormat.class)
    void batches_reach_kafka_in_the_configured_wire_format(WireFormat format) throws Exception {
        PacketSummary v6 = new PacketSummary(2, 1, 6, 6, 0x20010DB800000000L, 7, 0xFE80000000000000L, 9, 443, 50000, 1280, 64, 0x18,
                0xFFFF_FFFFL, 12, 65535, 1200, 0, 100);
        SummaryBatch batch = new SummaryBatch(IDENTITY, 1, 0, 5, List.of(SUMMARY, v6, SUMMARY));
        try (EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(EmbeddedKafkaConfig.defaults()).start()) {
            broker.createTopic(Topics.PACKETS, 2);
            KafkaRecordSink sink = new KafkaRecordSink(config(broker.bootstrapServers(), format), "sink-test", Map.of());
            sink.start();
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> sink.partitionCount().isPresent());
                sink.send(batch);
                await().atMost(Duration.ofSeconds(20)).until(() -> sink.stats().batchesSent() == 1);
            } finally {
                sink.stop(Duration.ofSeconds(2));
            }
            List<byte[]> values = new ArrayList<>();
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(), ConsumerConfig.GROUP_ID_CONFIG, "format-test",
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                consumer.subscribe(List.of(Topics.PACKETS));
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
                    return !values.isEmpty();
                });
            }
            assertThat(values).singleElement().satisfies(v -> {
                assertThat(PublishedBatches.formatOf(v)).isEqualTo(format);
                assertThat(PublishedBatches.decode(v)).isEqualTo(GenericBatchEncoding.toAvro(batch));
            });
        }
    }

    @Test
    void a_failed_send_goes_to_the_spool_and_is_sent_when_kafka_is_back() throws Exception {
        try (EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(EmbeddedKafkaConfig.defaults()).start()) {
            broker.createTopic(Topics.PACKETS, 2);
            KafkaRecordSink sink = new KafkaRecordSink(config(broker.bootstrapServers()), "sink-test", Map.of(),
                    DiskSpool.open(dir, 1 << 20, Clock.systemUTC()), 1 << 20, Clock.systemUTC());
            sink.start();
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> sink.partitionCount().isPresent());
                assertThat(sink.partitionCount().getAsInt()).isEqualTo(2);
                sink.send(new SummaryBatch(IDENTITY, 1, 0, 1, List.of(SUMMARY)));
                await().atMost(Duration.ofSeconds(20)).until(() -> sink.stats().batchesSent() == 1);
                assertThat(sink.stats().lastSequences()).containsEntry(1, 0L);

                broker.stop();
                // Sent before the probe noticed: it waits in the producer, which has no delivery timeout with a spool.
                sink.send(new SummaryBatch(IDENTITY, 1, 1, 2, List.of(SUMMARY, SUMMARY)));
                await().atMost(Duration.ofSeconds(15)).until(() -> !sink.isReachable());
                sink.send(new SummaryBatch(IDENTITY, 1, 2, 3, List.of(SUMMARY)));
                sink.send(new SummaryBatch(IDENTITY, 0, 0, 3, List.of(SUMMARY)));
                SinkStats stats = sink.stats();
                assertThat(stats.spool().active()).isTrue();
                assertThat(stats.spool().pendingBatches()).as("a copy of the batch in flight, then the two new ones behind it").isEqualTo(3);
                assertThat(stats.spool().batchesSpooled()).isEqualTo(3);
                assertThat(stats.batchesLost()).isZero();

                broker.start();
                await().atMost(Duration.ofSeconds(60)).until(() -> !sink.stats().spool().active());
                stats = sink.stats();
                assertThat(stats.spool().alreadyDelivered()).as("the producer delivered the batch in flight itself").isEqualTo(1);
                assertThat(stats.spool().batchesReplayed()).isEqualTo(2);
                assertThat(stats.spool().pendingBatches()).isZero();
                assertThat(stats.sendFailures()).isZero();
                assertThat(stats.batchesSent()).isEqualTo(4);
                assertThat(stats.lastSequences()).containsEntry(1, 2L).containsEntry(0, 0L);
                sink.send(new SummaryBatch(IDENTITY, 1, 3, 4, List.of(SUMMARY)));
                await().atMost(Duration.ofSeconds(20)).until(() -> sink.stats().batchesSent() == 5);
                assertThat(sink.stats().spool().batchesSpooled()).as("an empty spool is bypassed again").isEqualTo(3);

                Map<Integer, List<Long>> sequences = new TreeMap<>();
                try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(), ConsumerConfig.GROUP_ID_CONFIG, "sink-test",
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                    consumer.subscribe(List.of(Topics.PACKETS));
                    await().atMost(Duration.ofSeconds(30)).until(() -> {
                        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                            sequences.computeIfAbsent(r.partition(), p -> new ArrayList<>()).add(PublishedBatches.decode(r.value()).getSequence());
                        }
                        return sequences.values().stream().mapToInt(List::size).sum() >= 5;
                    });
                }
                assertThat(sequences).containsEntry(1, List.of(0L, 1L, 2L, 3L)).containsEntry(0, List.of(0L));
            } finally {
                sink.stop(Duration.ofSeconds(2));
            }
        }
    }

    /**
     * A run that stops with batches in the spool leaves them there; the next run sends them before its own, as they were
     * written: here rows from a run before the switch to columns.
     */
    @Test
    void a_spool_left_by_an_earlier_run_is_sent_first() throws Exception {
        try (EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(EmbeddedKafkaConfig.defaults()).start()) {
            broker.createTopic(Topics.PACKETS, 2);
            KafkaRecordSink first = new KafkaRecordSink(config(broker.bootstrapServers(), WireFormat.ROWS), "sink-test", Map.of(),
                    DiskSpool.open(dir, 1 << 20, Clock.systemUTC()), 1 << 20, Clock.systemUTC());
            first.start();
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> first.partitionCount().isPresent());
                broker.stop();
                await().atMost(Duration.ofSeconds(15)).until(() -> !first.isReachable());
                for (long seq = 0; seq < 3; seq++) {
                    first.send(new SummaryBatch(IDENTITY, 1, seq, 1, List.of(SUMMARY)));
                }
            } finally {
                first.stop(Duration.ofSeconds(1));
            }
            assertThat(first.stats().spool().pendingBatches()).isEqualTo(3);

            BatchIdentity secondBoot = new BatchIdentity("sink-test", "boot-2", List.of("eth0"));
            KafkaRecordSink second = new KafkaRecordSink(config(broker.bootstrapServers(), WireFormat.COLUMNS), "sink-test", Map.of(),
                    DiskSpool.open(dir, 1 << 20, Clock.systemUTC()), 1 << 20, Clock.systemUTC());
            second.start();
            try {
                assertThat(second.stats().spool().active()).as("a non-empty spool at start takes the new batches behind it").isTrue();
                // Kafka comes back only now: had it answered first, the replay could have drained the old batches before
                // this send, which would then go straight to Kafka (right too, but not what this test is about).
                second.send(new SummaryBatch(secondBoot, 1, 0, 2, List.of(SUMMARY)));
                assertThat(second.stats().spool().pendingBatches()).isEqualTo(4);
                broker.start();
                await().atMost(Duration.ofSeconds(60)).until(() -> second.partitionCount().isPresent());
                // The sent and replayed counters move on different threads: wait for both rather than read one after the other.
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    assertThat(second.stats().batchesSent()).isEqualTo(4);
                    assertThat(second.stats().spool().batchesReplayed()).isEqualTo(4);
                });
                assertThat(second.stats().lastSequences()).as("only this run's batches").containsExactly(Map.entry(1, 0L));

                List<String> order = new ArrayList<>();
                try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(), ConsumerConfig.GROUP_ID_CONFIG, "restart-test",
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                    consumer.subscribe(List.of(Topics.PACKETS));
                    await().atMost(Duration.ofSeconds(30)).until(() -> {
                        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                            PacketBatch b = PublishedBatches.decode(r.value());
                            order.add(PublishedBatches.formatOf(r.value()) + " " + b.getBootId() + "/" + b.getSequence());
                        }
                        return order.size() >= 4;
                    });
                }
                assertThat(order).as("the old boot's sequences continue, then the new boot starts at 0")
                        .containsExactly("rows boot/0", "rows boot/1", "rows boot/2", "columns boot-2/0");
            } finally {
                second.stop(Duration.ofSeconds(2));
            }
        }
    }

    @Test
    void a_batch_the_wire_format_cannot_hold_is_counted_as_lost_and_the_next_is_sent() throws Exception {
        PacketSummary on70000thInterface = new PacketSummary(1, 70_000, 4, 17, 0, 1, 0, 2, 10, 20, 28, 64, 0, 0, 0, 0, 0, 0, 0);
        try (EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(EmbeddedKafkaConfig.defaults()).start()) {
            broker.createTopic(Topics.PACKETS, 2);
            KafkaRecordSink sink = new KafkaRecordSink(config(broker.bootstrapServers(), WireFormat.COLUMNS), "sink-test", Map.of());
            sink.start();
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> sink.partitionCount().isPresent());
                sink.send(new SummaryBatch(IDENTITY, 1, 0, 1, List.of(SUMMARY, on70000thInterface)));
                assertThat(sink.stats().lostByReason()).containsEntry(LossReason.UNENCODABLE, 1L);
                sink.send(new SummaryBatch(IDENTITY, 1, 1, 1, List.of(SUMMARY)));
                await().atMost(Duration.ofSeconds(20)).until(() -> sink.stats().batchesSent() == 1);
                assertThat(sink.stats().batchesLost()).isEqualTo(1);
            } finally {
                sink.stop(Duration.ofSeconds(2));
            }
        }
    }

    @Test
    void without_a_spool_a_failed_send_is_counted_as_lost() throws Exception {
        try (EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(EmbeddedKafkaConfig.defaults()).start()) {
            broker.createTopic(Topics.PACKETS, 2);
            KafkaRecordSink sink = new KafkaRecordSink(config(broker.bootstrapServers()), "sink-test", Map.of());
            sink.start();
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> sink.partitionCount().isPresent());
                broker.stop();
                sink.send(new SummaryBatch(IDENTITY, 1, 0, 1, List.of(SUMMARY)));
                await().atMost(Duration.ofSeconds(30)).until(() -> sink.stats().sendFailures() == 1);
                assertThat(sink.stats().lostByReason()).containsEntry(LossReason.SEND_FAILED, 1L);
                assertThat(sink.stats().spool()).isEqualTo(SpoolReport.NONE);
            } finally {
                sink.stop(Duration.ofSeconds(2));
            }
        }
    }

    /** stop() interrupts a probe in flight; that used to be logged as "Kafka not reachable ...: InterruptedException". */
    @Test
    void a_probe_interrupted_by_stop_says_nothing_about_kafka() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            closedPort = socket.getLocalPort();
        }
        PublishConfig d = PublishConfig.defaults();
        PublishConfig config = new PublishConfig("127.0.0.1:" + closedPort, d.queueCapacity(), d.batchMaxSummaries(), d.batchMaxBytes(),
                d.batchLinger(), d.maxInFlight(), d.producerLinger(), d.producerBatchBytes(), Duration.ofSeconds(4), d.pendingBatches(),
                Duration.ofSeconds(1), d.wireFormat());
        Logger logger = (Logger) LoggerFactory.getLogger(KafkaRecordSink.class);
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        logger.addAppender(events);
        KafkaRecordSink sink = new KafkaRecordSink(config, "probe-test", Map.of());
        sink.start();
        try {
            Thread.currentThread().interrupt();
            sink.probe();
            assertThat(Thread.interrupted()).as("the interrupt stays set for the stopping executor").isTrue();
            String probeThread = Thread.currentThread().getName();
            assertThat(events.list).filteredOn(e -> e.getThreadName().equals(probeThread)).extracting(ILoggingEvent::getFormattedMessage).isEmpty();
        } finally {
            sink.stop(Duration.ofSeconds(1));
            logger.detachAppender(events);
        }
    }
}
