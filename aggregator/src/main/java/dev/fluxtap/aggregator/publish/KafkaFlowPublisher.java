package dev.fluxtap.aggregator.publish;

import dev.fluxtap.aggregator.config.KafkaConfig;
import dev.fluxtap.aggregator.flow.Flow;
import dev.fluxtap.aggregator.flow.FlowEvent;
import dev.fluxtap.aggregator.observe.AggregatorMeters;
import dev.fluxtap.schemas.Topics;
import io.micrometer.core.instrument.Counter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Flow records to {@code fluxtap.flows.v1} as single-object Avro, key = flow id, through an idempotent producer. */
public final class KafkaFlowPublisher implements FlowPublisher {

    private static final Logger log = LoggerFactory.getLogger(KafkaFlowPublisher.class);

    private final KafkaProducer<byte[], byte[]> producer;
    private final FlowRecordEncoder encoder = new FlowRecordEncoder();
    private final Map<FlowEvent.Kind, Counter> exported = new EnumMap<>(FlowEvent.Kind.class);
    private final Counter failures;

    public KafkaFlowPublisher(KafkaConfig kafka, String clientId, AggregatorMeters meters) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 128 * 1024);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        // Bounded: when the 32 MiB buffer is full, send waits at most this long, then the record counts as failed.
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
        this.producer = new KafkaProducer<>(kafka.clientConfig(props), new ByteArraySerializer(), new ByteArraySerializer());
        for (FlowEvent.Kind kind : new FlowEvent.Kind[] {FlowEvent.Kind.START, FlowEvent.Kind.UPDATE, FlowEvent.Kind.END}) {
            exported.put(kind, meters.flowsExported(kind.name()));
        }
        this.failures = meters.flowSendFailures();
    }

    @Override
    public void publish(FlowEvent event) {
        if (!event.exported()) {
            return;
        }
        Flow flow = event.flow();
        byte[] value = encoder.encode(event);
        try {
            producer.send(new ProducerRecord<>(Topics.FLOWS, flow.flowId().getBytes(StandardCharsets.UTF_8), value), (md, e) -> {
                if (e == null) {
                    exported.get(event.kind()).increment();
                } else {
                    failures.increment();
                    log.warn("publish: flow record {} not accepted: {}", flow.flowId(), e.toString());
                }
            });
        } catch (RuntimeException e) {
            failures.increment();
            log.warn("publish: flow record {} not sent: {}", flow.flowId(), e.toString());
        }
    }

    @Override
    public void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
