package dev.fluxtap.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fluxtap.agent.capture.PcapFilePacketSource;
import dev.fluxtap.agent.config.AgentConfig;
import dev.fluxtap.agent.config.CaptureConfig;
import dev.fluxtap.agent.config.ReplaySpeed;
import dev.fluxtap.agent.publish.KafkaRecordSink;
import dev.fluxtap.agent.tcpstats.TcpStatsConfig;
import dev.fluxtap.kafka.testing.KafkaBroker;
import dev.fluxtap.kafka.testing.KafkaBrokerExtension;
import dev.fluxtap.schemas.AvroCodec;
import dev.fluxtap.schemas.FluxtapSchemas;
import dev.fluxtap.schemas.Topics;
import dev.fluxtap.schemas.avro.AgentStatus;
import dev.fluxtap.schemas.avro.TcpConnection;
import dev.fluxtap.schemas.avro.TcpStatsSnapshot;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.scheduler.Schedulers;

/** The running agent polls the kernel's TCP table and publishes each snapshot to fluxtap.tcpstats.v1, keyed by host. */
@ExtendWith(KafkaBrokerExtension.class)
class TcpStatsPublishingTest {

    @Test
    void snapshots_of_real_connections_reach_kafka_and_the_heartbeat_counts_polls(KafkaBroker broker) throws Exception {
        broker.createTopic(Topics.PACKETS, 2);
        broker.createTopic(Topics.AGENTS, 1);
        broker.createTopic(Topics.TCP_STATS, 2);
        Path pcap = KafkaTestSupport.resource("pcaps/fluxtap/sll2-any-loopback.pcap");
        CaptureConfig replay = new CaptureConfig(List.of(), List.of(pcap), ReplaySpeed.MAX, false, "", 128, 1 << 20, false, false);
        AgentConfig base = KafkaTestSupport.config(broker.bootstrapServers(), replay, Duration.ofMillis(500));
        TcpStatsConfig tcp = TcpStatsConfig.defaults().withInterval(Duration.ofMillis(300)).withAllNamespaces(false);
        AgentConfig config = new AgentConfig(base.agentId(), replay, base.publish(), base.ops(), Optional.of(tcp));

        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
             Socket accepted = server.accept()) {
            OutputStream out = client.getOutputStream();
            out.write("hello fluxtap".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = accepted.getInputStream();
            assertThat(in.readNBytes(13)).hasSize(13);
            int port = server.getLocalPort();

            Agent agent = new Agent(config, new PcapFilePacketSource(List.of(pcap), ReplaySpeed.MAX, false),
                    new KafkaRecordSink(config.publish(), config.agentId(), Map.of()), Clock.systemUTC(), Schedulers.newSingle("status-test", true),
                    "test");
            agent.start();
            try {
                AvroCodec<TcpStatsSnapshot> codec = AvroCodec.of(FluxtapSchemas.TCP_STATS_SNAPSHOT);
                List<TcpConnection> ours = new CopyOnWriteArrayList<>();
                try (KafkaConsumer<byte[], byte[]> consumer = KafkaTestSupport.consumer(broker.bootstrapServers(), Topics.TCP_STATS)) {
                    await().atMost(Duration.ofSeconds(30)).until(() -> {
                        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                            TcpStatsSnapshot s = codec.decode(r.value());
                            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(s.getHostId());
                            assertThat(s.getAgentId()).isEqualTo(config.agentId());
                            s.getConnections().stream().filter(c -> c.getLocalPort() == port || c.getRemotePort() == port).forEach(ours::add);
                        }
                        return ours.size() >= 2;
                    });
                }
                assertThat(ours).as("both ends of the test's connection").anySatisfy(c -> {
                    assertThat(c.getState()).isEqualTo("ESTABLISHED");
                    assertThat(c.getPid()).isEqualTo((int) ProcessHandle.current().pid());
                    assertThat(c.getRttMicros()).isPositive();
                });
                await().atMost(Duration.ofSeconds(10)).until(() -> agent.tcpStatsPolls() >= 2);
            } finally {
                agent.stop();
            }
            assertThat(agent.sinkStats().tcpStatsSent()).isPositive();
            try (KafkaConsumer<byte[], byte[]> consumer = KafkaTestSupport.consumer(broker.bootstrapServers(), Topics.AGENTS)) {
                List<AgentStatus> statuses = new CopyOnWriteArrayList<>();
                await().atMost(Duration.ofSeconds(20)).until(() -> {
                    KafkaTestSupport.pollStatus(consumer).stream().filter(s -> s.getAgentId().equals(config.agentId())).forEach(statuses::add);
                    return statuses.stream().anyMatch(s -> s.getTcpStatsPolls() > 0);
                });
            }
        }
    }
}
