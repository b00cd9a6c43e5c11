package dev.fluxtap.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fluxtap.agent.capture.Pcap4jPacketSource;
import dev.fluxtap.agent.config.AgentConfig;
import dev.fluxtap.agent.config.CaptureConfig;
import dev.fluxtap.agent.config.ReplaySpeed;
import dev.fluxtap.agent.publish.KafkaRecordSink;
import dev.fluxtap.kafka.testing.KafkaBroker;
import dev.fluxtap.kafka.testing.KafkaBrokerExtension;
import dev.fluxtap.schemas.Topics;
import dev.fluxtap.schemas.avro.AgentStatus;
import dev.fluxtap.schemas.avro.PacketSummary;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.scheduler.Schedulers;

/**
 * Live: the agent captures on {@code lo} (BPF filter on ports this test picks) while the test makes real TCP
 * connections and sends UDP datagrams; the summaries that arrive through a real broker match what was sent.
 */
@ExtendWith(KafkaBrokerExtension.class)
class LiveCaptureTest {

    private static final int CONNECTIONS = 5;
    private static final int BYTES_PER_CONNECTION = 20_000;
    private static final int DATAGRAMS = 20;
    private static final int DATAGRAM_PAYLOAD = 100;

    @Test
    void summaries_through_kafka_match_the_generated_traffic(KafkaBroker broker) throws Exception {
        assumeTrue(KafkaTestSupport.canCaptureLive(), "live capture needs root or CAP_NET_RAW (CI runs as root); skipped");
        broker.createTopic(Topics.PACKETS, 3);
        broker.createTopic(Topics.AGENTS, 1);

        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             DatagramSocket udpReceiver = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            int tcpPort = server.getLocalPort();
            int udpPort = udpReceiver.getLocalPort();
            CaptureConfig capture = new CaptureConfig(List.of("lo"), List.of(), ReplaySpeed.MAX, false,
                    "tcp port " + tcpPort + " or udp port " + udpPort, 128, 4 << 20, false, false);
            AgentConfig config = KafkaTestSupport.config(broker.bootstrapServers(), capture, Duration.ofSeconds(1));
            Agent agent = new Agent(config, new Pcap4jPacketSource(capture), new KafkaRecordSink(config.publish(), config.agentId(), Map.of()),
                    Clock.systemUTC(), Schedulers.newSingle("status-test", true), "test");
            agent.start();
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> agent.captureOpen() && agent.kafkaReachable());
                assertThat(KafkaTestSupport.get(agent.healthPort(), "/readiness").statusCode()).isEqualTo(200);

                List<Integer> clientPorts = generateTcp(server);
                for (int i = 0; i < DATAGRAMS; i++) {
                    try (DatagramSocket sender = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
                        byte[] payload = new byte[DATAGRAM_PAYLOAD];
                        sender.send(new DatagramPacket(payload, payload.length, InetAddress.getLoopbackAddress(), udpPort));
                        udpReceiver.receive(new DatagramPacket(new byte[512], 512));
                    }
                }

                List<KafkaTestSupport.Received> received = new CopyOnWriteArrayList<>();
                try (KafkaConsumer<byte[], byte[]> consumer = KafkaTestSupport.consumer(broker.bootstrapServers(), Topics.PACKETS)) {
                    await().atMost(Duration.ofSeconds(30)).until(() -> {
                        received.addAll(KafkaTestSupport.pollBatches(consumer));
                        return count(received, s -> s.getProtocol() == 17) >= DATAGRAMS
                                && count(received, s -> s.getProtocol() == 6 && (s.getTcpFlags() & 1) != 0) >= 2L * CONNECTIONS;
                    });
                }
                List<PacketSummary> all = new ArrayList<>();
                received.forEach(r -> all.addAll(r.batch().getPackets()));

                // Connections: one SYN per connection from the ports the clients used, one SYN-ACK back.
                List<PacketSummary> syns = all.stream().filter(s -> s.getProtocol() == 6 && s.getTcpFlags() == 2).toList();
                assertThat(syns).extracting(PacketSummary::getSrcPort).containsExactlyInAnyOrderElementsOf(clientPorts);
                assertThat(syns).allSatisfy(s -> assertThat(s.getDstPort()).isEqualTo(tcpPort));
                assertThat(all.stream().filter(s -> s.getProtocol() == 6 && s.getTcpFlags() == 0x12).count()).isEqualTo(CONNECTIONS);
                // Bytes: the payload the clients sent, summed from the IP lengths of the captured segments.
                long clientPayload = all.stream().filter(s -> s.getProtocol() == 6 && s.getDstPort() == tcpPort).mapToLong(PacketSummary::getPayloadBytes).sum();
                assertThat(clientPayload).isEqualTo((long) CONNECTIONS * BYTES_PER_CONNECTION);
                long serverPayload = all.stream().filter(s -> s.getProtocol() == 6 && s.getSrcPort() == tcpPort).mapToLong(PacketSummary::getPayloadBytes).sum();
                assertThat(serverPayload).isEqualTo(CONNECTIONS * 2L);
                // Datagrams: exactly the ones sent, 20 + 8 + payload IP bytes each.
                List<PacketSummary> udp = all.stream().filter(s -> s.getProtocol() == 17).toList();
                assertThat(udp).hasSize(DATAGRAMS).allSatisfy(s -> {
                    assertThat(s.getDstPort()).isEqualTo(udpPort);
                    assertThat(s.getIpBytes()).isEqualTo(20 + 8 + DATAGRAM_PAYLOAD);
                    assertThat(s.getPayloadBytes()).isEqualTo(DATAGRAM_PAYLOAD);
                    assertThat(s.getSrcIp()).isEqualTo(ByteBuffer.wrap(new byte[] {127, 0, 0, 1}));
                });
                assertThat(all).allSatisfy(s -> assertThat(s.getTsMicros()).isPositive());

                // Both directions of every connection land in one partition; keys carry it; sequences have no gap.
                Map<Set<Integer>, Set<Integer>> partitionsByConnection = new HashMap<>();
                Map<Integer, List<Long>> sequences = new TreeMap<>();
                for (KafkaTestSupport.Received r : received) {
                    assertThat(r.batch().getPartition()).isEqualTo(r.partition());
                    assertThat(ByteBuffer.wrap(r.key()).getInt()).isEqualTo(r.partition());
                    assertThat(r.batch().getInterfaces()).containsExactly("lo");
                    assertThat(r.batch().getBootId()).isEqualTo(agent.identity().bootId());
                    sequences.computeIfAbsent(r.partition(), p -> new ArrayList<>()).add(r.batch().getSequence());
                    for (PacketSummary s : r.batch().getPackets()) {
                        if (s.getProtocol() == 6) {
                            partitionsByConnection.computeIfAbsent(Set.of(s.getSrcPort(), s.getDstPort()), k -> new HashSet<>()).add(r.partition());
                        }
                    }
                }
                assertThat(partitionsByConnection).hasSize(CONNECTIONS).allSatisfy((conn, partitions) -> assertThat(partitions).hasSize(1));
                sequences.forEach((p, seqs) -> assertThat(seqs).as("partition %d", p).isEqualTo(range(seqs.size())));

                assertThat(agent.queueDrops()).isZero();
                String metrics = KafkaTestSupport.get(agent.metricsPort(), "/metrics").body();
                assertThat(metrics).contains("fluxtap_agent_frames_captured_total{interface=\"lo\"}", "fluxtap_agent_summaries_sent_total",
                        "fluxtap_agent_frames_malformed_total{reason=\"tcp-bad-offset\"} 0.0");

                try (KafkaConsumer<byte[], byte[]> statusConsumer = KafkaTestSupport.consumer(broker.bootstrapServers(), Topics.AGENTS)) {
                    List<AgentStatus> statuses = new CopyOnWriteArrayList<>();
                    await().atMost(Duration.ofSeconds(20)).until(() -> {
                        statuses.addAll(KafkaTestSupport.pollStatus(statusConsumer));
                        return statuses.stream().anyMatch(s -> s.getSummariesSent() >= all.size());
                    });
                    AgentStatus last = statuses.get(statuses.size() - 1);
                    assertThat(last.getAgentId()).isEqualTo(config.agentId());
                    assertThat(last.getInterfaces()).singleElement().satisfies(i -> {
                        assertThat(i.getName()).isEqualTo("lo");
                        assertThat(i.getPacketsReceived()).isGreaterThanOrEqualTo(all.size());
                        assertThat(i.getKernelPacketsReceived()).as("lo counts each packet twice").isGreaterThanOrEqualTo(i.getPacketsReceived());
                        assertThat(i.getOpen()).isTrue();
                    });
                    assertThat(last.getPacketsDecoded()).isGreaterThanOrEqualTo(all.size());
                    assertThat(last.getRssBytes()).isPositive();
                    assertThat(last.getProcessCpuSeconds()).isPositive();
                    assertThat(last.getLastSequences()).isNotEmpty();
                }
            } finally {
                agent.stop();
            }
            assertThat(agent.captureOpen()).as("breakLoop() ended the idle capture").isFalse();
        }
    }

    private static List<Integer> generateTcp(ServerSocket server) throws Exception {
        List<Integer> clientPorts = new ArrayList<>();
        for (int c = 0; c < CONNECTIONS; c++) {
            try (Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                 Socket accepted = server.accept()) {
                clientPorts.add(client.getLocalPort());
                OutputStream out = client.getOutputStream();
                out.write(new byte[BYTES_PER_CONNECTION]);
                client.shutdownOutput();
                InputStream in = accepted.getInputStream();
                long read = in.transferTo(OutputStream.nullOutputStream());
                assertThat(read).isEqualTo(BYTES_PER_CONNECTION);
                accepted.getOutputStream().write(new byte[] {'o', 'k'});
                accepted.shutdownOutput();
                assertThat(client.getInputStream().readAllBytes()).hasSize(2);
            }
        }
        return clientPorts;
    }

    private static long count(List<KafkaTestSupport.Received> received, java.util.function.Predicate<PacketSummary> p) {
        return received.stream().flatMap(r -> r.batch().getPackets().stream()).filter(p).count();
    }

    private static List<Long> range(int n) {
        List<Long> out = new ArrayList<>();
        for (long i = 0; i < n; i++) {
            out.add(i);
        }
        return out;
    }
}
