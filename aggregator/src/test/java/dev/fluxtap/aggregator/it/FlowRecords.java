package dev.fluxtap.aggregator.it;

import dev.fluxtap.schemas.AvroCodec;
import dev.fluxtap.schemas.AvroDecodeException;
import dev.fluxtap.schemas.FluxtapSchemas;
import dev.fluxtap.schemas.Topics;
import dev.fluxtap.schemas.avro.FlowRecord;
import dev.fluxtap.schemas.avro.FlowRecordType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** The flow records on {@code fluxtap.flows.v1}, per flow id and record type, reduced to what a consumer relies on. */
final class FlowRecords {

    /** flowId -> one line per record of that flow, in log order: type, end reason, totals per direction, last packet time. */
    private final Map<String, List<String>> byFlow;

    private FlowRecords(Map<String, List<String>> byFlow) {
        this.byFlow = byFlow;
    }

    /** Reads the whole topic, up to its end offsets at the time of the call. */
    static FlowRecords read(String bootstrapServers) {
        AvroCodec<FlowRecord> codec = AvroCodec.of(FluxtapSchemas.FLOW_RECORD);
        Map<String, List<String>> byFlow = new TreeMap<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, "flow-records-" + UUID.randomUUID(), ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> tps = c.partitionsFor(Topics.FLOWS).stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> end = c.endOffsets(tps);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("reading " + Topics.FLOWS + " took more than 60 s");
                }
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    FlowRecord f = decode(codec, r.value());
                    byFlow.computeIfAbsent(f.getFlowId(), k -> new ArrayList<>()).add(line(f));
                }
            }
        }
        return new FlowRecords(byFlow);
    }

    private static FlowRecord decode(AvroCodec<FlowRecord> codec, byte[] value) {
        try {
            return codec.decode(value);
        } catch (AvroDecodeException e) {
            throw new AssertionError("a record on " + Topics.FLOWS + " does not decode", e);
        }
    }

    private static String line(FlowRecord f) {
        String s = f.getRecordType() + " fwd=" + f.getFwdTotal().getPackets() + "/" + f.getFwdTotal().getIpBytes() + " rev="
                + f.getRevTotal().getPackets() + "/" + f.getRevTotal().getIpBytes() + " last=" + f.getLastSeenMicros();
        return f.getRecordType() == FlowRecordType.END ? s + " " + f.getEndReason() : s;
    }

    /** flowId -> the END records of the flow (more than one is an at-least-once duplicate). */
    Map<String, List<String>> ends() {
        return ofType("END");
    }

    /** flowId -> the START records of the flow. */
    Map<String, List<String>> starts() {
        return ofType("START");
    }

    private Map<String, List<String>> ofType(String type) {
        Map<String, List<String>> out = new TreeMap<>();
        byFlow.forEach((id, lines) -> lines.stream().filter(l -> l.startsWith(type + " "))
                .forEach(l -> out.computeIfAbsent(id, k -> new ArrayList<>()).add(l)));
        return out;
    }

    /** Records in total. */
    long size() {
        return byFlow.values().stream().mapToLong(List::size).sum();
    }

    /** START and END records beyond the first of their flow and type: at-least-once redeliveries. */
    long duplicates() {
        return ends().values().stream().mapToLong(l -> l.size() - 1).sum() + starts().values().stream().mapToLong(l -> l.size() - 1).sum();
    }
}
