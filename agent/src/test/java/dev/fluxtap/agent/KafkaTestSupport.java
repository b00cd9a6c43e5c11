package dev.fluxtap.agent;

import dev.fluxtap.agent.config.AgentConfig;
import dev.fluxtap.agent.config.CaptureConfig;
import dev.fluxtap.agent.config.OpsConfig;
import dev.fluxtap.agent.config.PublishConfig;
import dev.fluxtap.agent.publish.PublishedBatches;
import dev.fluxtap.schemas.AvroCodec;
import dev.fluxtap.schemas.AvroDecodeException;
import dev.fluxtap.schemas.FluxtapSchemas;
import dev.fluxtap.schemas.avro.AgentStatus;
import dev.fluxtap.schemas.avro.PacketBatch;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** A plain Kafka consumer and HTTP client for the integration tests: independent of the agent's own code. */
final class KafkaTestSupport {

    private KafkaTestSupport() {
    }

    static KafkaConsumer<byte[], byte[]> consumer(String bootstrap, String topic) {
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        c.subscribe(List.of(topic));
        return c;
    }

    /** Polls once and decodes the batches of either wire format, with the record's partition and key. */
    static List<Received> pollBatches(KafkaConsumer<byte[], byte[]> consumer) throws AvroDecodeException {
        List<Received> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            out.add(new Received(r.partition(), r.key(), PublishedBatches.decode(r.value())));
        }
        return out;
    }

    static List<AgentStatus> pollStatus(KafkaConsumer<byte[], byte[]> consumer) throws AvroDecodeException {
        AvroCodec<AgentStatus> codec = AvroCodec.of(FluxtapSchemas.AGENT_STATUS);
        List<AgentStatus> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            out.add(codec.decode(r.value()));
        }
        return out;
    }

    record Received(int partition, byte[] key, PacketBatch batch) {
    }

    static AgentConfig config(String bootstrap, CaptureConfig capture, Duration statusInterval) {
        PublishConfig p = PublishConfig.defaults();
        PublishConfig publish = new PublishConfig(bootstrap, 65_536, p.batchMaxSummaries(), p.batchMaxBytes(), Duration.ofMillis(50),
                p.maxInFlight(), p.producerLinger(), p.producerBatchBytes(), Duration.ofSeconds(30), p.pendingBatches(), Duration.ofSeconds(10),
                p.wireFormat());
        OpsConfig ops = new OpsConfig("127.0.0.1", 0, 0, Optional.empty(), Optional.empty(), Optional.empty(), statusInterval);
        return new AgentConfig("test-agent-" + UUID.randomUUID().toString().substring(0, 8), capture, publish, ops);
    }

    static HttpResponse<String> get(int port, String path) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static Path resource(String name) {
        try {
            return Path.of(KafkaTestSupport.class.getClassLoader().getResource(name).toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether this process may capture live: the effective capability set holds CAP_NET_RAW (bit 13). */
    static boolean canCaptureLive() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & (1L << 13)) != 0;
                }
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return false;
    }
}
