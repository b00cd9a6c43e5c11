package dev.fluxtap.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fluxtap.agent.capture.Pcap4jPacketSource;
import dev.fluxtap.agent.config.AgentConfig;
import dev.fluxtap.agent.config.CaptureConfig;
import dev.fluxtap.agent.config.ReplaySpeed;
import dev.fluxtap.agent.publish.KafkaRecordSink;
import dev.fluxtap.agent.publish.LossReason;
import dev.fluxtap.agent.publish.SinkStats;
import dev.fluxtap.agent.spool.DiskSpool;
import dev.fluxtap.kafka.embedded.EmbeddedKafkaBroker;
import dev.fluxtap.kafka.embedded.EmbeddedKafkaConfig;
import dev.fluxtap.schemas.Topics;
import dev.fluxtap.schemas.avro.AgentStatus;
import dev.fluxtap.schemas.avro.PacketBatch;
import dev.fluxtap.schemas.avro.PacketSummary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.scheduler.Schedulers;

/**
 * Broker outage under live traffic. A running agent captures UDP datagrams on {@code lo} that a generator sends at a
 * steady rate from several source ports (so every partition gets batches); the real embedded broker is stopped and
 * started again (same port, same data). What reaches {@code fluxtap.packets.v1} is read back the way the aggregator's
 * sequence check reads it: per (agent, boot, partition) in log order, repeats dropped, jumps counted as gaps.
 */
class BrokerOutageTest {

    private static final Logger log = LoggerFactory.getLogger(BrokerOutageTest.class);
    private static final int PARTITIONS = 3;
    private static final int SOURCES = 8;
    /** Datagrams per 10 ms tick: 800 packets/s, light enough that the capture drops nothing on a loaded CI host. */
    private static final int PER_TICK = 8;

    @TempDir
    Path spoolDir;

    private EmbeddedKafkaBroker broker;
    private DatagramSocket receiver;
    private final List<DatagramSocket> senders = new ArrayList<>();
    private ScheduledExecutorService generator;
    private final AtomicInteger sent = new AtomicInteger();

    @BeforeEach
    void setUp() throws IOException {
        assumeTrue(KafkaTestSupport.canCaptureLive(), "live capture needs root or CAP_NET_RAW (CI runs as root); skipped");
        broker = new EmbeddedKafkaBroker(EmbeddedKafkaConfig.defaults()).start();
        broker.createTopic(Topics.PACKETS, PARTITIONS);
        broker.createTopic(Topics.AGENTS, 1);
        receiver = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        for (int i = 0; i < SOURCES; i++) {
            senders.add(new DatagramSocket(0, InetAddress.getLoopbackAddress()));
        }
    }

    @AfterEach
    void tearDown() {
        if (generator != null) {
            generator.shutdownNow();
        }
        senders.forEach(DatagramSocket::close);
        if (receiver != null) {
            receiver.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void a_30_second_outage_under_traffic_loses_nothing_and_leaves_no_sequence_gap() throws Exception {
        Agent agent = startAgent(256L * 1024 * 1024);
        try {
            startTraffic();
            await().atMost(Duration.ofSeconds(20)).until(() -> agent.sinkStats().batchesSent() >= PARTITIONS * 5L);

            broker.stop();
            long outageStart = System.nanoTime();
            await().atMost(Duration.ofSeconds(20)).until(() -> agent.sinkStats().spool().active());
            // The outage lasts 30 s, traffic running all along.
            await().atMost(Duration.ofSeconds(40)).until(() -> System.nanoTime() - outageStart >= TimeUnit.SECONDS.toNanos(30));
            assertThat(agent.kafkaReachable()).isFalse();
            assertThat(agent.sinkStats().spool().pendingBatches()).isPositive();
            assertThat(agent.sinkStats().batchesLost()).isZero();
            restartBrokerAndDrain(agent);

            SinkStats stats = agent.sinkStats();
            log.info("outage run: {} datagrams sent, sink {}", sent.get(), stats);
            assertThat(agent.decodeTotals().decoded()).as("the capture kept up").isEqualTo(sent.get());
            assertThat(stats.batchesLost()).isZero();
            assertThat(stats.spool().batchesSpooled()).isPositive();
            assertThat(stats.spool().batchesReplayed() + stats.spool().alreadyDelivered())
                    .as("every spooled batch was replayed, or Kafka had acknowledged its original").isEqualTo(stats.spool().batchesSpooled());
            assertThat(stats.spool().pendingBatches()).isZero();

            Delivered delivered = readBack(agent, agent.batchesClosed());
            assertThat(delivered.gaps).as("sequence gaps seen the way the aggregator sees them").isZero();
            assertThat(delivered.batches).isEqualTo(agent.batchesClosed());
            assertThat(delivered.packets).as("every datagram sent is delivered exactly once").isEqualTo(sent.get());
        } finally {
            agent.stop();
        }
    }

    @Test
    void past_the_spool_bound_the_loss_is_counted_and_shown() throws Exception {
        Agent agent = startAgent(64 * 1024);
        try {
            startTraffic();
            await().atMost(Duration.ofSeconds(20)).until(() -> agent.sinkStats().batchesSent() >= PARTITIONS * 5L);

            broker.stop();
            await().atMost(Duration.ofSeconds(40)).until(() -> agent.sinkStats().lostByReason().get(LossReason.SPOOL_FULL) > 20);
            String health = KafkaTestSupport.get(agent.healthPort(), "/health").body();
            assertThat(health).contains("\"spool\":{\"status\":\"FULL\"").containsPattern("\"spool_full\":[1-9]");
            assertThat(KafkaTestSupport.get(agent.metricsPort(), "/metrics").body())
                    .containsPattern("fluxtap_agent_batches_lost_total\\{reason=\"spool_full\"} [1-9]");
            restartBrokerAndDrain(agent);

            SinkStats stats = agent.sinkStats();
            log.info("full-spool run: {} datagrams sent, {} batches closed, sink {}", sent.get(), agent.batchesClosed(), stats);
            long lost = stats.batchesLost();
            assertThat(stats.lostByReason().get(LossReason.SPOOL_FULL)).isEqualTo(lost).isPositive();
            Delivered delivered = readBack(agent, agent.batchesClosed() - lost);
            assertThat(delivered.batches + lost).as("delivered + counted as lost = closed").isEqualTo(agent.batchesClosed());
            assertThat(delivered.gaps).as("the aggregator sees as gaps exactly what the agent counted").isEqualTo(lost);
            assertThat(delivered.packets).isLessThan(sent.get());

            try (KafkaConsumer<byte[], byte[]> consumer = KafkaTestSupport.consumer(broker.bootstrapServers(), Topics.AGENTS)) {
                List<AgentStatus> statuses = new ArrayList<>();
                await().atMost(Duration.ofSeconds(20)).until(() -> {
                    statuses.addAll(KafkaTestSupport.pollStatus(consumer));
                    return statuses.stream().anyMatch(s -> s.getBootId().equals(agent.identity().bootId()) && s.getBatchesLost() == lost);
                });
            }
        } finally {
            agent.stop();
        }
    }

    private Agent startAgent(long spoolBytes) throws Exception {
        CaptureConfig capture = new CaptureConfig(List.of("lo"), List.of(), ReplaySpeed.MAX, false,
                "udp and dst port " + receiver.getLocalPort(), 128, 8 << 20, false, false);
        AgentConfig config = KafkaTestSupport.config(broker.bootstrapServers(), capture, Duration.ofSeconds(1));
        KafkaRecordSink sink = new KafkaRecordSink(config.publish(), config.agentId(), Map.of(),
                DiskSpool.open(spoolDir, spoolBytes, Clock.systemUTC()), 16L * 1024 * 1024, Clock.systemUTC());
        Agent agent = new Agent(config, new Pcap4jPacketSource(capture), sink, Clock.systemUTC(), Schedulers.newSingle("status-test", true), "test");
        agent.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> agent.captureOpen() && agent.kafkaReachable());
        return agent;
    }

    private void startTraffic() {
        InetAddress lo = InetAddress.getLoopbackAddress();
        int port = receiver.getLocalPort();
        byte[] payload = new byte[64];
        generator = Executors.newSingleThreadScheduledExecutor();
        generator.scheduleAtFixedRate(() -> {
            try {
                for (int i = 0; i < PER_TICK; i++) {
                    senders.get(sent.get() % SOURCES).send(new DatagramPacket(payload, payload.length, lo, port));
                    sent.incrementAndGet();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, 0, 10, TimeUnit.MILLISECONDS);
    }

    private void stopTraffic() throws InterruptedException {
        generator.shutdown();
        assertThat(generator.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    }

    /** Brings Kafka back, waits until the spool is drained and every datagram was captured, then stops the agent. */
    private void restartBrokerAndDrain(Agent agent) throws Exception {
        broker.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> !agent.sinkStats().spool().active());
        stopTraffic();
        await().atMost(Duration.ofSeconds(30)).until(() -> agent.decodeTotals().decoded() >= sent.get());
        agent.stop();
    }

    private record Delivered(long batches, long packets, long gaps) {
    }

    /** Reads the packets topic until {@code expectedBatches} distinct batches of this agent arrived, checking sequences. */
    private Delivered readBack(Agent agent, long expectedBatches) {
        String boot = agent.identity().bootId();
        Map<Integer, Long> last = new HashMap<>();
        long[] counts = new long[3];
        try (KafkaConsumer<byte[], byte[]> consumer = KafkaTestSupport.consumer(broker.bootstrapServers(), Topics.PACKETS)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (KafkaTestSupport.Received r : KafkaTestSupport.pollBatches(consumer)) {
                    PacketBatch b = r.batch();
                    assertThat(b.getBootId()).isEqualTo(boot);
                    Long previous = last.get(r.partition());
                    if (previous != null && b.getSequence() <= previous) {
                        continue; // a repeat: the aggregator drops it
                    }
                    long expected = previous == null ? 0 : previous + 1;
                    counts[2] += b.getSequence() - expected;
                    last.put(r.partition(), b.getSequence());
                    counts[0]++;
                    for (PacketSummary s : b.getPackets()) {
                        if (s.getDstPort() == receiver.getLocalPort()) {
                            counts[1]++;
                        }
                    }
                }
                return counts[0] >= expectedBatches;
            });
        }
        return new Delivered(counts[0], counts[1], counts[2]);
    }
}
