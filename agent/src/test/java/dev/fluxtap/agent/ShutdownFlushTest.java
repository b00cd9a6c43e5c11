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
import reactor.core.scheduler.Schedulers;

/** Stopping flushes what is queued and batched: summaries waiting for a long linger still reach Kafka. */
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
                p.maxInFlight(), p.producerLinger(), p.producerBatchBytes(), p.sendTimeout(), p.pendingBatches(), Duration.ofSeconds(20));
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
                received.addAll(KafkaTestSupport.pollBatches(consumer));
                return received.stream().mapToInt(r -> r.batch().getPackets().size()).sum() >= 45;
            });
        }
        assertThat(received.stream().mapToInt(r -> r.batch().getPackets().size()).sum()).isEqualTo(45);
        assertThat(received).allSatisfy(r -> assertThat(r.batch().getSequence()).isZero());
        try (KafkaConsumer<byte[], byte[]> consumer = KafkaTestSupport.consumer(broker.bootstrapServers(), Topics.AGENTS)) {
            List<dev.fluxtap.schemas.avro.AgentStatus> statuses = new CopyOnWriteArrayList<>();
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                statuses.addAll(KafkaTestSupport.pollStatus(consumer));
                return !statuses.isEmpty();
            });
            assertThat(statuses.get(statuses.size() - 1).getPacketsDecoded()).as("the last heartbeat at stop").isEqualTo(45);
        }
    }
}
