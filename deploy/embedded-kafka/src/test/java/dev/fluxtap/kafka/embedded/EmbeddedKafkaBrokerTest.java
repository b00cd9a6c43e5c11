package dev.fluxtap.kafka.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaBrokerTest {

    @Test
    void defaultsAreValid() {
        EmbeddedKafkaConfig defaults = EmbeddedKafkaConfig.defaults();

        assertThat(defaults.port()).isZero();
        assertThat(defaults.dataDir()).isEmpty();
    }

    @Test
    void badPortIsRejectedWithTheSettingName() {
        assertThatThrownBy(() -> EmbeddedKafkaConfig.defaults().withPort(70000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("kafka port");
    }

    @Test
    void startAndCloseAreIdempotentAndTheTemporaryDataIsRemoved() {
        EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(EmbeddedKafkaConfig.defaults());
        broker.start();
        String first = broker.bootstrapServers();
        broker.start();
        Path data = broker.dataDir();

        assertThat(broker.bootstrapServers()).isEqualTo(first);
        assertThat(data).exists();

        broker.close();
        broker.close();

        assertThat(broker.isRunning()).isFalse();
        assertThat(data).doesNotExist();
        assertThatThrownBy(broker::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void restartKeepsRecordsAndPort(@TempDir Path dir) throws Exception {
        try (EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(EmbeddedKafkaConfig.defaults().withDataDir(dir.resolve("kafka")))) {
            broker.start();
            broker.createTopic("restart", 1);
            int port = broker.port();
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>("restart", "k", "before restart")).get(30, TimeUnit.SECONDS);
            }

            broker.stop();
            assertThat(broker.isRunning()).isFalse();
            broker.start();

            assertThat(broker.port()).isEqualTo(port);
            assertThat(Files.exists(dir.resolve("kafka").resolve("meta.properties"))).isTrue();
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                    ConsumerConfig.GROUP_ID_CONFIG, UUID.randomUUID().toString(),
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer())) {
                consumer.subscribe(List.of("restart"));
                List<String> values = new java.util.ArrayList<>();
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (values.isEmpty() && System.nanoTime() < deadline) {
                    consumer.poll(Duration.ofMillis(500)).forEach((ConsumerRecord<String, String> r) -> values.add(r.value()));
                }
                assertThat(values).containsExactly("before restart");
            }
        }
        assertThat(dir.resolve("kafka")).as("a data dir that was given is kept").exists();
    }
}
