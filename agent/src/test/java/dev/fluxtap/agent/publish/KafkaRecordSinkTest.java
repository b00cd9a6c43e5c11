package dev.fluxtap.agent.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.fluxtap.agent.config.PublishConfig;
import dev.fluxtap.agent.summarize.PacketSummary;
import dev.fluxtap.kafka.embedded.EmbeddedKafkaBroker;
import dev.fluxtap.kafka.embedded.EmbeddedKafkaConfig;
import dev.fluxtap.schemas.AvroCodec;
import dev.fluxtap.schemas.FluxtapSchemas;
import dev.fluxtap.schemas.Topics;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** A send that fails is counted and handed to the undelivered-batch handler (where a spool plugs in), never silent; a stop is no outage. */
class KafkaRecordSinkTest {

    @Test
    void failed_sends_are_counted_and_handed_over() throws Exception {
        List<UndeliveredBatchHandler.UndeliveredBatch> kept = new CopyOnWriteArrayList<>();
        try (EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(EmbeddedKafkaConfig.defaults()).start()) {
            broker.createTopic(Topics.PACKETS, 2);
            PublishConfig d = PublishConfig.defaults();
            PublishConfig config = new PublishConfig(broker.bootstrapServers(), d.queueCapacity(), d.batchMaxSummaries(), d.batchMaxBytes(),
                    d.batchLinger(), d.maxInFlight(), d.producerLinger(), d.producerBatchBytes(), Duration.ofSeconds(4), d.pendingBatches(),
                    Duration.ofSeconds(5));
            KafkaRecordSink sink = new KafkaRecordSink(config, "sink-test", Map.of(), (batch, cause) -> kept.add(batch));
            sink.start();
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> sink.partitionCount().isPresent());
                assertThat(sink.partitionCount().getAsInt()).isEqualTo(2);
                BatchIdentity identity = new BatchIdentity("sink-test", "boot", List.of("eth0"));
                PacketSummary s = new PacketSummary(1, 0, 4, 17, 0, 1, 0, 2, 10, 20, 28, 64, 0, 0, 0, 0, 0, 0, 0);
                sink.send(new SummaryBatch(identity, 1, 0, 1, List.of(s)));
                await().atMost(Duration.ofSeconds(20)).until(() -> sink.stats().batchesSent() == 1);
                assertThat(sink.stats().lastSequences()).containsEntry(1, 0L);

                broker.stop();
                sink.send(new SummaryBatch(identity, 1, 1, 2, List.of(s, s)));
                await().atMost(Duration.ofSeconds(30)).until(() -> sink.stats().sendFailures() == 1);
                SinkStats stats = sink.stats();
                assertThat(stats.batchesKept()).isEqualTo(1);
                assertThat(stats.batchesLost()).isZero();
                assertThat(kept).singleElement().satisfies(b -> {
                    assertThat(b.partition()).isEqualTo(1);
                    assertThat(b.sequence()).isEqualTo(1);
                    assertThat(b.summaries()).isEqualTo(2);
                    assertThat(AvroCodec.of(FluxtapSchemas.PACKET_BATCH).decode(b.encoded()).getSequence()).isEqualTo(1);
                });
                await().atMost(Duration.ofSeconds(15)).until(() -> !sink.isReachable());
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
                Duration.ofSeconds(1));
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
