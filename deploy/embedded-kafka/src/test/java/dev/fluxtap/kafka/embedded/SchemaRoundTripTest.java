package dev.fluxtap.kafka.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fluxtap.kafka.testing.KafkaBroker;
import dev.fluxtap.kafka.testing.KafkaBrokerExtension;
import dev.fluxtap.schemas.FluxtapSchemas;
import dev.fluxtap.schemas.SampleRecords;
import dev.fluxtap.schemas.SchemaType;
import dev.fluxtap.schemas.kafka.AvroDeserializer;
import dev.fluxtap.schemas.kafka.AvroSerializer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Flux;
import reactor.kafka.receiver.KafkaReceiver;
import reactor.kafka.receiver.ReceiverOptions;
import reactor.kafka.receiver.ReceiverRecord;
import reactor.kafka.sender.KafkaSender;
import reactor.kafka.sender.SenderOptions;
import reactor.kafka.sender.SenderRecord;
import reactor.kafka.sender.SenderResult;
import reactor.test.StepVerifier;

/** Every contract type goes through a real broker with Reactor Kafka and comes back equal. */
@ExtendWith(KafkaBrokerExtension.class)
class SchemaRoundTripTest {

    static List<Object[]> types() {
        List<SpecificRecord> samples = SampleRecords.all();
        return IntStream.range(0, samples.size())
                .mapToObj(i -> new Object[] {FluxtapSchemas.ALL.get(i).name(), FluxtapSchemas.ALL.get(i), samples.get(i)})
                .toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("types")
    <T extends SpecificRecord> void recordSurvivesARoundTripThroughKafka(String name, SchemaType<T> type, T sample, KafkaBroker broker) {
        String topic = "roundtrip." + name;
        broker.createTopic(topic, 2);

        SenderOptions<String, T> senderOptions = SenderOptions.<String, T>create(Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                        ProducerConfig.ACKS_CONFIG, "all"))
                .withKeySerializer(new StringSerializer())
                .withValueSerializer(new AvroSerializer<>(type));
        KafkaSender<String, T> sender = KafkaSender.create(senderOptions);
        Flux<SenderResult<Integer>> sent = sender.send(Flux.range(0, 3)
                .map(i -> SenderRecord.create(new ProducerRecord<>(topic, "key-" + i, sample), i)));
        StepVerifier.create(sent).expectNextCount(3).verifyComplete();
        sender.close();

        ReceiverOptions<String, T> receiverOptions = ReceiverOptions.<String, T>create(Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                        ConsumerConfig.GROUP_ID_CONFIG, "roundtrip-" + UUID.randomUUID(),
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"))
                .withKeyDeserializer(new StringDeserializer())
                .withValueDeserializer(new AvroDeserializer<>(type))
                .subscription(List.of(topic));
        StepVerifier.create(KafkaReceiver.create(receiverOptions).receive().take(3).map(ReceiverRecord::value))
                .expectNext(sample, sample, sample)
                .expectComplete()
                .verify(Duration.ofSeconds(60));
    }
}
