package dev.fluxtap.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fluxtap.agent.capture.PcapFilePacketSource;
import dev.fluxtap.agent.config.AgentConfig;
import dev.fluxtap.agent.config.CaptureConfig;
import dev.fluxtap.agent.config.ReplaySpeed;
import dev.fluxtap.agent.publish.KafkaRecordSink;
import dev.fluxtap.kafka.embedded.EmbeddedKafkaBroker;
import dev.fluxtap.kafka.embedded.EmbeddedKafkaConfig;
import dev.fluxtap.schemas.Topics;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Schedulers;

/**
 * Kafka down at start, then up: the agent keeps retrying (readiness false meanwhile), recovers by itself, and the
 * batches that arrive have per-partition sequences from 0 without a gap.
 */
class KafkaRecoveryTest {

    @Test
    void agent_recovers_when_kafka_comes_up_after_it() throws Exception {
        int port = freePort();
        Path capture = KafkaTestSupport.resource("pcaps/fluxtap/sll2-any-loopback.pcap");
        CaptureConfig replay = new CaptureConfig(List.of(), List.of(capture), ReplaySpeed.parse("20"), true, "", 128, 1 << 20, true, false);
        AgentConfig config = KafkaTestSupport.config("127.0.0.1:" + port, replay, Duration.ofSeconds(1));
        Agent agent = new Agent(config, new PcapFilePacketSource(replay.pcapFiles(), replay.pcapSpeed(), true),
                new KafkaRecordSink(config.publish(), config.agentId(), Map.of()), Clock.systemUTC(), Schedulers.newSingle("status-test", true), "test");
        try (EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(EmbeddedKafkaConfig.defaults().withPort(port))) {
            agent.start();
            try {
                await().atMost(Duration.ofSeconds(10)).until(agent::captureOpen);
                await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> !agent.kafkaReachable());
                assertThat(KafkaTestSupport.get(agent.healthPort(), "/readiness").statusCode()).isEqualTo(503);
                assertThat(KafkaTestSupport.get(agent.healthPort(), "/readiness").body()).contains("Kafka not reachable at 127.0.0.1:" + port);
                assertThat(KafkaTestSupport.get(agent.healthPort(), "/liveness").statusCode()).isEqualTo(200);
                assertThat(agent.decodeTotals().decoded()).as("capture runs while Kafka is down").isPositive();

                broker.start();
                broker.createTopic(Topics.PACKETS, 2);
                broker.createTopic(Topics.AGENTS, 1);

                await().atMost(Duration.ofSeconds(60)).until(agent::kafkaReachable);
                assertThat(KafkaTestSupport.get(agent.healthPort(), "/readiness").statusCode()).isEqualTo(200);
                assertThat(KafkaTestSupport.get(agent.healthPort(), "/health").body()).startsWith("{\"status\":\"UP\"");

                List<KafkaTestSupport.Received> received = new CopyOnWriteArrayList<>();
                try (KafkaConsumer<byte[], byte[]> consumer = KafkaTestSupport.consumer(broker.bootstrapServers(), Topics.PACKETS)) {
                    await().atMost(Duration.ofSeconds(30)).until(() -> {
                        received.addAll(KafkaTestSupport.pollBatches(consumer));
                        return received.size() >= 6;
                    });
                }
                Map<Integer, List<Long>> sequences = new TreeMap<>();
                for (KafkaTestSupport.Received r : received) {
                    sequences.computeIfAbsent(r.partition(), p -> new ArrayList<>()).add(r.batch().getSequence());
                }
                sequences.forEach((partition, seqs) -> {
                    List<Long> expected = new ArrayList<>();
                    for (long i = 0; i < seqs.size(); i++) {
                        expected.add(i);
                    }
                    assertThat(seqs).as("partition %d sequences", partition).isEqualTo(expected);
                });
                assertThat(agent.sinkStats().batchesLost()).isZero();
                assertThat(agent.sinkStats().sendFailures()).isZero();
            } finally {
                agent.stop();
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }
}
