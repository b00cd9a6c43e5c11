package dev.fluxtap.agent.tcpstats;

import dev.fluxtap.agent.publish.TcpStatsAvro;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fluxtap.agent.tcpstats.linux.LinuxSsTcpStatsSource;
import dev.fluxtap.kafka.testing.KafkaBroker;
import dev.fluxtap.kafka.testing.KafkaBrokerExtension;
import dev.fluxtap.schemas.FluxtapSchemas;
import dev.fluxtap.schemas.Topics;
import dev.fluxtap.schemas.kafka.AvroDeserializer;
import dev.fluxtap.schemas.kafka.AvroSerializer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.scheduler.Schedulers;

/** A real snapshot of this host goes through a real broker on the contract topic and comes back equal. */
@ExtendWith(KafkaBrokerExtension.class)
class TcpStatsKafkaTest {

    @Test
    void realSnapshotSurvivesTheTcpStatsTopic(KafkaBroker broker) throws Exception {
        broker.createTopic(Topics.TCP_STATS, 1);
        TcpStatsConfig config = TcpStatsConfig.defaults().withAllNamespaces(false);
        TcpStatsSnapshot snapshot;
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"));
                Socket client = new Socket(InetAddress.getByName("127.0.0.1"), server.getLocalPort());
                Socket peer = server.accept()) {
            client.getOutputStream().write(new byte[1000]);
            peer.getInputStream().readNBytes(1000);
            TcpStatsCollector collector = new TcpStatsCollector(new LinuxSsTcpStatsSource(config, Clock.systemUTC()), config,
                    Clock.systemUTC(), Schedulers.immediate(), new TcpStatsMeters(new SimpleMeterRegistry(), 10), s -> { });
            snapshot = collector.pollOnce();
            collector.stop();
        }
        assertThat(snapshot.connections()).as("at least the broker's and this test's connections").hasSizeGreaterThanOrEqualTo(2);
        // Split into at least two records, as a host with many sockets is, so the parts are exercised too.
        int perRecord = Math.max(1, (snapshot.connections().size() + 1) / 2);
        List<dev.fluxtap.schemas.avro.TcpStatsSnapshot> sent = TcpStatsAvro.toAvroParts(snapshot, "agent-1", "boot-1", perRecord);
        assertThat(sent).hasSizeGreaterThanOrEqualTo(2).allSatisfy(part -> assertThat(part.getParts()).isEqualTo(sent.size()));

        try (KafkaProducer<String, dev.fluxtap.schemas.avro.TcpStatsSnapshot> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new AvroSerializer<>(FluxtapSchemas.TCP_STATS_SNAPSHOT))) {
            for (dev.fluxtap.schemas.avro.TcpStatsSnapshot part : sent) {
                producer.send(new ProducerRecord<>(Topics.TCP_STATS, snapshot.host(), part)).get();
            }
        }

        List<ConsumerRecord<String, dev.fluxtap.schemas.avro.TcpStatsSnapshot>> received = new ArrayList<>();
        try (KafkaConsumer<String, dev.fluxtap.schemas.avro.TcpStatsSnapshot> consumer = new KafkaConsumer<>(
                Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                        ConsumerConfig.GROUP_ID_CONFIG, "tcpstats-" + UUID.randomUUID(),
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new AvroDeserializer<>(FluxtapSchemas.TCP_STATS_SNAPSHOT))) {
            consumer.subscribe(List.of(Topics.TCP_STATS));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(500)).forEach(received::add);
                return received.size() >= sent.size();
            });
        }

        assertThat(received).hasSize(sent.size());
        assertThat(received).allSatisfy(r -> assertThat(r.key()).isEqualTo(config.hostId()));
        assertThat(received.stream().map(ConsumerRecord::value).toList()).isEqualTo(sent);
        dev.fluxtap.schemas.avro.TcpStatsSnapshot first = received.get(0).value();
        assertThat(first.getSource().toString()).isEqualTo("ss");
        assertThat(first.getAgentId().toString()).isEqualTo("agent-1");
        List<TcpConnectionStats> reassembled = received.stream().flatMap(r -> TcpStatsAvro.fromAvro(r.value()).connections().stream()).toList();
        assertThat(reassembled).isEqualTo(snapshot.connections());
        assertThat(TcpStatsAvro.fromAvro(first).host()).isEqualTo(snapshot.host());
    }
}
