package dev.fluxtap.aggregator;

import dev.fluxtap.aggregator.config.AggregatorConfig;
import dev.fluxtap.aggregator.config.HttpConfig;
import dev.fluxtap.aggregator.config.KafkaConfig;
import dev.fluxtap.aggregator.testing.AgentFixture;
import dev.fluxtap.kafka.embedded.EmbeddedKafkaBroker;
import dev.fluxtap.kafka.embedded.EmbeddedKafkaConfig;
import dev.fluxtap.schemas.AvroCodec;
import dev.fluxtap.schemas.FluxtapSchemas;
import dev.fluxtap.schemas.Topics;
import dev.fluxtap.schemas.avro.PacketBatch;
import dev.fluxtap.schemas.avro.PacketSummary;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * End-to-end throughput through the embedded broker on this machine: an agent-like producer sends PacketBatch records
 * (1000 summaries each, 6 partitions, one summary per flow per batch: 6000 flows) while the aggregator consumes, decodes, sequence-checks and applies
 * them. The batches are encoded before the clock starts (agents encode on their own hosts); the broker, the producer
 * and the aggregator share this machine. Reports the rate from the first send to the moment the aggregator applied
 * the last summary. Args: total
 * summaries (default 10M). Run: see docs/BENCHMARKS.md.
 */
public final class EndToEndBench {

    public static void main(String[] args) throws Exception {
        long total = args.length > 0 ? Long.parseLong(args[0]) : 10_000_000L;
        int perBatch = 1000, partitions = 6;
        try (EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(EmbeddedKafkaConfig.defaults()).start()) {
            AggregatorConfig config = AggregatorConfig.defaults()
                    .withKafka(KafkaConfig.defaults().withBootstrapServers(broker.bootstrapServers()))
                    .withHttp(new HttpConfig("127.0.0.1", 0, Optional.empty(), 10));
            try (AggregatorApp app = AggregatorApp.start(config);
                 KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                         broker.bootstrapServers(), ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.BATCH_SIZE_CONFIG, 1 << 20,
                         ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4", ProducerConfig.ACKS_CONFIG, "all",
                         ProducerConfig.BUFFER_MEMORY_CONFIG, 128L << 20), new ByteArraySerializer(), new ByteArraySerializer())) {
                AvroCodec<PacketBatch> codec = AvroCodec.of(FluxtapSchemas.PACKET_BATCH);
                List<List<PacketSummary>> byPartition = new ArrayList<>();
                for (int p = 0; p < partitions; p++) {
                    byPartition.add(new ArrayList<>());
                }
                long t0 = System.currentTimeMillis() * 1000;
                int flow = 0;
                while (byPartition.stream().anyMatch(l -> l.size() < perBatch)) {
                    byte[] client = {10, 20, (byte) (flow >> 8), (byte) flow};
                    byte[] server = {10, 30, 0, 1};
                    int cport = 30000 + flow % 30000;
                    int partition = AgentFixture.partitionFor(6, client, cport, server, 443, partitions);
                    if (byPartition.get(partition).size() < perBatch) {
                        byPartition.get(partition).add(PacketSummary.newBuilder().setTsMicros(t0).setIpVersion(4).setProtocol(6)
                                .setSrcIp(ByteBuffer.wrap(client)).setDstIp(ByteBuffer.wrap(server)).setSrcPort(cport).setDstPort(443)
                                .setIpBytes(1500).setTcpFlags(0x18).setTcpSeq(flow).setPayloadBytes(1448).build());
                    }
                    flow++;
                }
                long batches = total / perBatch;
                // Agents encode on their own hosts: encode every batch before the clock starts.
                byte[][] encoded = new byte[(int) batches][];
                for (int i = 0; i < batches; i++) {
                    int p = i % partitions;
                    long seq = i / partitions;
                    long ts = t0 + i * 200; // event time moves 200 µs per batch: 5M summaries per second of event time
                    List<PacketSummary> summaries = byPartition.get(p);
                    for (PacketSummary s : summaries) {
                        s.setTsMicros(ts);
                    }
                    PacketBatch batch = PacketBatch.newBuilder().setAgentId("bench-agent").setBootId("boot").setPartition(p).setSequence(seq)
                            .setCreatedMicros(ts).setPackets(summaries).build();
                    encoded[i] = codec.encode(batch);
                }
                System.out.printf("encoded %d batches, %d MiB%n", batches, java.util.Arrays.stream(encoded).mapToLong(b -> b.length).sum() >> 20);
                long start = System.nanoTime();
                for (int i = 0; i < batches; i++) {
                    int p = i % partitions;
                    producer.send(new ProducerRecord<>(Topics.PACKETS, p, AgentFixture.key(p), encoded[i]));
                    encoded[i] = null;
                }
                producer.flush();
                double produced = (System.nanoTime() - start) / 1e9;
                long applied;
                do {
                    applied = (long) app.registry().get("fluxtap.aggregator.summaries.applied").counter().count();
                    Thread.onSpinWait();
                } while (applied < batches * perBatch && System.nanoTime() - start < 600e9);
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf("produced %d summaries in %d batches in %.1f s (%.0f summaries/s)%n", batches * perBatch, batches, produced,
                        batches * perBatch / produced);
                System.out.printf("applied %d summaries end to end in %.1f s: %.0f summaries/s%n", applied, seconds, applied / seconds);
            }
        }
    }

    private EndToEndBench() {
    }
}
