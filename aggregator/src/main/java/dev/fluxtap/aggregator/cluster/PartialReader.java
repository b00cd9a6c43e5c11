package dev.fluxtap.aggregator.cluster;

import dev.fluxtap.aggregator.config.ClusterConfig;
import dev.fluxtap.aggregator.config.KafkaConfig;
import dev.fluxtap.aggregator.ingest.ReceiverSubscription;
import dev.fluxtap.aggregator.observe.AggregatorMeters;
import dev.fluxtap.schemas.AvroCodec;
import dev.fluxtap.schemas.AvroDecodeException;
import dev.fluxtap.schemas.FluxtapSchemas;
import dev.fluxtap.schemas.Topics;
import dev.fluxtap.schemas.avro.AggregatePartial;
import io.micrometer.core.instrument.Counter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads every instance's partials from {@code fluxtap.aggregates.v1} into the cluster view. Not in the consumer group:
 * every instance needs all partials, so it assigns itself every partition and starts one peer timeout back in time
 * (older partials are of peers already gone). Nothing is committed.
 */
public final class PartialReader implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PartialReader.class);

    private final KafkaConfig kafka;
    private final ClusterConfig config;
    private final ClusterView view;
    private final Clock clock;
    private final AvroCodec<AggregatePartial> codec = AvroCodec.of(FluxtapSchemas.AGGREGATE_PARTIAL);
    private final Counter received;
    private final Counter bad;
    private final Counter otherGroup;
    private final AtomicLong badCount = new AtomicLong();
    private ReceiverSubscription<byte[]> subscription;

    public PartialReader(KafkaConfig kafka, ClusterConfig config, ClusterView view, AggregatorMeters meters, Clock clock) {
        this.kafka = kafka;
        this.config = config;
        this.view = view;
        this.clock = clock;
        this.received = meters.partialsReceived("ok");
        this.bad = meters.partialsReceived("bad");
        this.otherGroup = meters.partialsReceived("other-group");
    }

    public void start() {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, kafka.groupId() + "-partials-" + view.instanceId());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        List<TopicPartition> partitions;
        try (KafkaConsumer<byte[], byte[]> probe = new KafkaConsumer<>(kafka.clientConfig(props), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            partitions = probe.partitionsFor(Topics.AGGREGATES, Duration.ofSeconds(15)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        }
        subscription = ReceiverSubscription.assigned(kafka.clientConfig(props), partitions,
                () -> clock.millis() - config.peerTimeout().toMillis(), "cluster: partials", this::accept);
    }

    void accept(byte[] key, byte[] value) {
        if (value == null) {
            if (key != null) {
                view.remove(new String(key, StandardCharsets.UTF_8));
            }
            return;
        }
        try {
            AggregatePartial p = codec.decode(value);
            // Another consumer group on the same Kafka is another deployment, not a peer (a partial before v3 has none).
            if (!p.getGroupId().isEmpty() && !p.getGroupId().equals(kafka.groupId())) {
                otherGroup.increment();
                return;
            }
            if (!p.getInstanceId().equals(view.instanceId())) { // our own is handed over directly, fresher
                view.accept(p);
            }
            received.increment();
        } catch (AvroDecodeException | RuntimeException e) {
            bad.increment();
            long n = badCount.incrementAndGet();
            if (n <= 10 || Long.bitCount(n) == 1) {
                log.warn("cluster: a record on {} is not a partial ({}); ignored (#{})", Topics.AGGREGATES, e.getMessage(), n);
            }
        }
    }

    @Override
    public void close() {
        if (subscription != null) {
            subscription.stop(Duration.ofSeconds(10));
        }
    }
}
