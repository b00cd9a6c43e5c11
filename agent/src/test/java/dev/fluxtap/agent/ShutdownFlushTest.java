package dev.fluxtap.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fluxtap.agent.capture.PcapFilePacketSource;
import dev.fluxtap.agent.config.AgentConfig;
import dev.fluxtap.agent.config.CaptureConfig;
import dev.fluxtap.agent.config.PublishConfig;
import dev.fluxtap.agent.config.ReplaySpeed;
import dev.fluxtap.agent.publish.KafkaRecordSink;
import dev.fluxtap.kafka.testing.KafkaBroker;
import dev.fluxtap.kafka.testing.KafkaBrokerExtension;
import dev.fluxtap.schemas.Topics;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.scheduler.Schedulers;

/**
 * Stopping flushes what is queued and batched: summaries waiting for a long linger still reach Kafka. And the command
 * line {@code run --pcap FILE} replays the file, flushes and exits 0.
 */
@ExtendWith(KafkaBrokerExtension.class)
class ShutdownFlushTest {

    @Test
    void stop_flushes_open_batches(KafkaBroker broker) throws Exception {
        broker.createTopic(Topics.PACKETS, 4);
        broker.createTopic(Topics.AGENTS, 1);
        Path pcap = KafkaTestSupport.resource("pcaps/fluxtap/ethernet-veth-fragments.pcap");
        CaptureConfig replay = new CaptureConfig(List.of(), List.of(pcap), ReplaySpeed.MAX, false, "", 128, 1 << 20, false, false);
        AgentConfig base = KafkaTestSupport.config(broker.bootstrapServers(), replay, Duration.ofMinutes(10));
        PublishConfig p = base.publish();
        PublishConfig lingerForever = new PublishConfig(p.bootstrapServers(), p.queueCapacity(), 100_000, 8 << 20, Duration.ofMinutes(10),
                p.maxInFlight(), p.producerLinger(), p.producerBatchBytes(), p.sendTimeout(), p.pendingBatches(), Duration.ofSeconds(20),
                p.wireFormat());
        AgentConfig config = new AgentConfig(base.agentId(), replay, lingerForever, base.ops());
        Agent agent = new Agent(config, new PcapFilePacketSource(List.of(pcap), ReplaySpeed.MAX, false),
                new KafkaRecordSink(lingerForever, config.agentId(), Map.of()), Clock.systemUTC(), Schedulers.newSingle("status-test", true), "test");
        agent.start();
        try {
            assertThat(agent.awaitCaptureEnd(Duration.ofSeconds(30))).isTrue();
            await().atMost(Duration.ofSeconds(30)).until(() -> agent.kafkaReachable() && agent.queueDepth() == 0);
            assertThat(agent.batchesClosed()).as("nothing closed by size or linger yet").isZero();
        } finally {
            agent.stop();
        }
        assertThat(agent.sinkStats().summariesSent()).isEqualTo(45);
        List<KafkaTestSupport.Received> received = new CopyOnWriteArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = KafkaTestSupport.consumer(broker.bootstrapServers(), Topics.PACKETS)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                KafkaTestSupport.pollBatches(consumer).stream().filter(r -> r.batch().getAgentId().equals(config.agentId())).forEach(received::add);
                return received.stream().mapToInt(r -> r.batch().getPackets().size()).sum() >= 45;
            });
        }
        assertThat(received.stream().mapToInt(r -> r.batch().getPackets().size()).sum()).isEqualTo(45);
        assertThat(received).allSatisfy(r -> assertThat(r.batch().getSequence()).isZero());
        try (KafkaConsumer<byte[], byte[]> consumer = KafkaTestSupport.consumer(broker.bootstrapServers(), Topics.AGENTS)) {
            List<dev.fluxtap.schemas.avro.AgentStatus> statuses = new CopyOnWriteArrayList<>();
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                KafkaTestSupport.pollStatus(consumer).stream().filter(st -> st.getAgentId().equals(config.agentId())).forEach(statuses::add);
                return !statuses.isEmpty();
            });
            assertThat(statuses.get(statuses.size() - 1).getPacketsDecoded()).as("the last heartbeat at stop").isEqualTo(45);
        }
    }

    @Test
    void run_command_replays_a_file_flushes_and_exits(KafkaBroker broker, @TempDir Path spool) throws Exception {
        broker.createTopic(Topics.PACKETS, 4);
        broker.createTopic(Topics.AGENTS, 1);
        Path pcap = KafkaTestSupport.resource("pcaps/fluxtap/sll2-any-loopback.pcap");
        java.io.StringWriter err = new java.io.StringWriter();
        int exit = AgentMain.run(new String[] {"run", "--pcap", pcap.toString(), "--agent-id", "cli-replay", "--http-port", "-1",
                        "--spool-dir", spool.toString()},
                Map.of("FLUXTAP_BOOTSTRAP_SERVERS", broker.bootstrapServers()), new java.io.PrintWriter(new java.io.StringWriter(), true),
                new java.io.PrintWriter(err, true));
        assertThat(exit).as(err.toString()).isZero();
        List<KafkaTestSupport.Received> received = new CopyOnWriteArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = KafkaTestSupport.consumer(broker.bootstrapServers(), Topics.PACKETS)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                received.addAll(KafkaTestSupport.pollBatches(consumer));
                return received.stream().filter(r -> r.batch().getAgentId().equals("cli-replay")).mapToInt(r -> r.batch().getPackets().size()).sum() >= 50;
            });
        }
        assertThat(received.stream().filter(r -> r.batch().getAgentId().equals("cli-replay")).mapToInt(r -> r.batch().getPackets().size()).sum())
                .isEqualTo(50);
    }
}
