package dev.fluxtap.aggregator.publish;

import dev.fluxtap.aggregator.cluster.ClusterView;
import dev.fluxtap.aggregator.cluster.LocalState;
import dev.fluxtap.aggregator.cluster.Partials;
import dev.fluxtap.aggregator.config.ClusterConfig;
import dev.fluxtap.aggregator.config.KafkaConfig;
import dev.fluxtap.aggregator.observe.AggregatorMeters;
import dev.fluxtap.schemas.AvroCodec;
import dev.fluxtap.schemas.FluxtapSchemas;
import dev.fluxtap.schemas.Topics;
import dev.fluxtap.schemas.avro.AggregatePartial;
import io.micrometer.core.instrument.Counter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Every partials interval: builds this instance's partial, hands it to the cluster view at once, and sends it to
 * {@code fluxtap.aggregates.v1} keyed by instance id; also expires silent peers. On close it sends a tombstone (null
 * value) for its key, so peers drop it at once instead of after the peer timeout.
 */
public final class PartialPublisher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PartialPublisher.class);

    private final KafkaProducer<byte[], byte[]> producer;
    private final AvroCodec<AggregatePartial> codec = AvroCodec.of(FluxtapSchemas.AGGREGATE_PARTIAL);
    private final ClusterView view;
    private final LocalState state;
    private final String apiUrl;
    private final ClusterConfig config;
    private final String groupId;
    private final Clock clock;
    private final byte[] key;
    private final Counter published;
    private final Counter failed;
    private final AtomicLong lastBuildMicros = new AtomicLong();
    private final AtomicLong lastBytes = new AtomicLong();
    private final Scheduler scheduler = Schedulers.newSingle("fluxtap-partials", true);
    private Disposable ticker;

    public PartialPublisher(KafkaConfig kafka, ClusterConfig config, ClusterView view, LocalState state, String apiUrl,
                            AggregatorMeters meters, Clock clock) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ProducerConfig.CLIENT_ID_CONFIG, kafka.groupId() + "-partials-" + view.instanceId());
        props.put(ProducerConfig.ACKS_CONFIG, "1"); // a lost partial is replaced by the next one
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 2_000);
        this.producer = new KafkaProducer<>(kafka.clientConfig(props), new ByteArraySerializer(), new ByteArraySerializer());
        this.view = view;
        this.state = state;
        this.apiUrl = apiUrl;
        this.config = config;
        this.groupId = kafka.groupId();
        this.clock = clock;
        this.key = view.instanceId().getBytes(StandardCharsets.UTF_8);
        this.published = meters.partialsPublished("ok");
        this.failed = meters.partialsPublished("failed");
        meters.gauge("fluxtap.aggregator.cluster.partial.build.seconds", "Time the last partial took to build", () -> lastBuildMicros.get() / 1e6);
        meters.gauge("fluxtap.aggregator.cluster.partial.bytes", "Encoded size of the last partial", lastBytes::get);
    }

    public void start() {
        ticker = Flux.interval(Duration.ZERO, config.partialsInterval(), scheduler).onBackpressureDrop().subscribe(i -> publishOnce());
    }

    /** Builds and sends one partial now (also used by tests and benchmarks); returns it. */
    public AggregatePartial publishOnce() {
        try {
            long t0 = System.nanoTime();
            AggregatePartial partial = Partials.build(state, groupId, view.instanceId(), apiUrl, config.partialTopN(), clock.millis() * 1000);
            byte[] value = codec.encode(partial);
            lastBuildMicros.set((System.nanoTime() - t0) / 1000);
            lastBytes.set(value.length);
            view.accept(partial);
            view.expire();
            producer.send(new ProducerRecord<>(Topics.AGGREGATES, key, value), (md, e) -> {
                if (e == null) {
                    published.increment();
                } else {
                    failed.increment();
                    log.warn("cluster: partial not accepted by Kafka: {}", e.toString());
                }
            });
            return partial;
        } catch (RuntimeException e) {
            failed.increment();
            log.warn("cluster: building or sending the partial failed: {}", e.toString());
            return null;
        }
    }

    @Override
    public void close() {
        if (ticker != null) {
            ticker.dispose();
        }
        scheduler.dispose();
        try {
            producer.send(new ProducerRecord<>(Topics.AGGREGATES, key, null));
        } catch (RuntimeException e) {
            log.warn("cluster: leaving tombstone not sent: {}", e.toString());
        }
        producer.close(Duration.ofSeconds(5));
    }
}
