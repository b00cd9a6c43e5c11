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
        dev.fluxtap.schemas.avro.TcpStatsSnapshot sent = TcpStatsAvro.toAvro(snapshot, "agent-1", "boot-1");

        try (KafkaProducer<String, dev.fluxtap.schemas.avro.TcpStatsSnapshot> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new AvroSerializer<>(FluxtapSchemas.TCP_STATS_SNAPSHOT))) {
            producer.send(new ProducerRecord<>(Topics.TCP_STATS, snapshot.host(), sent)).get();
        }

        List<ConsumerRecord<String, dev.fluxtap.schemas.avro.TcpStatsSnapshot>> received = new ArrayList<>();
        try (KafkaConsumer<String, dev.fluxtap.schemas.avro.TcpStatsSnapshot> consumer = new KafkaConsumer<>(
                Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                        ConsumerConfig.GROUP_ID_CONFIG, "tcpstats-" + UUID.randomUUID(),
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new AvroDeserializer<>(FluxtapSchemas.TCP_STATS_SNAPSHOT))) {
            consumer.subscribe(List.of(Topics.TCP_STATS));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (received.isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(received::add);
            }
        }

        assertThat(received).hasSize(1);
        assertThat(received.get(0).key()).isEqualTo(config.hostId());
        dev.fluxtap.schemas.avro.TcpStatsSnapshot back = received.get(0).value();
        assertThat(back).isEqualTo(sent);
        assertThat(back.getSource().toString()).isEqualTo("ss");
        assertThat(back.getAgentId().toString()).isEqualTo("agent-1");
        assertThat(TcpStatsAvro.fromAvro(back)).isEqualTo(snapshot);
    }
}
