package dev.fluxtap.aggregator;

import static dev.fluxtap.aggregator.testing.Packets.connection;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fluxtap.aggregator.config.AggregatorConfig;
import dev.fluxtap.aggregator.config.HttpConfig;
import dev.fluxtap.aggregator.config.KafkaConfig;
import dev.fluxtap.aggregator.testing.AgentFixture;
import dev.fluxtap.aggregator.testing.Packets.Pkt;
import dev.fluxtap.kafka.testing.KafkaBroker;
import dev.fluxtap.kafka.testing.KafkaBrokerExtension;
import dev.fluxtap.schemas.AvroCodec;
import dev.fluxtap.schemas.FluxtapSchemas;
import dev.fluxtap.schemas.Topics;
import dev.fluxtap.schemas.avro.FlowRecord;
import dev.fluxtap.schemas.avro.FlowRecordType;
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
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Token auth, graceful shutdown (offsets committed after applying) and rebuilding state from the log on restart. */
@ExtendWith(KafkaBrokerExtension.class)
class AggregatorLifecycleTest {

    private static final int FLOWS = 12;
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    private HttpResponse<String> get(AggregatorApp app, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + path)).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private int flowCount(AggregatorApp app, String token) throws Exception {
        return flows(app, token).size();
    }

    /** flowId -> srcIp, counters and state of every TCP flow the API shows. */
    private Map<String, String> flows(AggregatorApp app, String token) throws Exception {
        HttpResponse<String> r = get(app, "/api/v1/flows?protocol=6&limit=1000", token);
        assertThat(r.statusCode()).isEqualTo(200);
        Map<String, String> out = new java.util.TreeMap<>();
        new ObjectMapper().readTree(r.body()).get("flows").forEach(f -> out.put(f.get("flowId").asText(),
                f.get("srcIp").asText() + " " + f.get("fwdPackets") + "/" + f.get("fwdBytes") + " " + f.get("revPackets") + "/"
                        + f.get("revBytes") + " " + f.get("tcpState").asText() + " " + f.get("firstSeen").asText()));
        return out;
    }

    @Test
    void tokenGuardsTheApiShutdownCommitsAndARestartRebuildsStateWithoutReExporting(KafkaBroker broker) throws Exception {
        Path tokenFile = dir.resolve("token");
        String token = "s3cret-" + UUID.randomUUID();
        Files.writeString(tokenFile, token + "\n");
        AggregatorConfig config = AggregatorConfig.defaults()
                .withKafka(KafkaConfig.defaults().withBootstrapServers(broker.bootstrapServers()))
                .withHttp(new HttpConfig("127.0.0.1", 0, Optional.of(tokenFile), 100));
        long t0 = System.currentTimeMillis() * 1000 - 60_000_000L;
        List<Pkt> packets = new ArrayList<>();
        for (int i = 0; i < FLOWS; i++) {
            packets.addAll(connection(t0 + i * 1000L, "10.7.0." + (i + 1), 41000, "10.7.1.1", 8443, 2));
        }

        Map<String, String> live;
        AggregatorApp first = AggregatorApp.start(config);
        try {
            assertThat(get(first, "/api/v1/flows", null).statusCode()).isEqualTo(401);
            assertThat(get(first, "/api/v1/flows", "wrong").statusCode()).isEqualTo(401);
            assertThat(get(first, "/liveness", null).statusCode()).isEqualTo(200);
            try (AgentFixture agent = new AgentFixture(broker.bootstrapServers(), "life-agent", "boot-1", 6)) {
                agent.send(packets, 7);
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> flowCount(first, token) == FLOWS);
            await().atMost(Duration.ofSeconds(30)).until(() -> get(first, "/readiness", null).statusCode() == 200);
            live = flows(first, token);
        } finally {
            first.close();
        }

        Map<TopicPartition, Long> committed;
        Map<TopicPartition, Long> ends;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
             KafkaConsumer<byte[], byte[]> probe = consumer(broker)) {
            committed = admin.listConsumerGroupOffsets("fluxtap-aggregator").partitionsToOffsetAndMetadata().get().entrySet().stream()
                    .filter(e -> e.getKey().topic().equals(Topics.PACKETS))
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
            ends = probe.endOffsets(probe.partitionsFor(Topics.PACKETS).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList()).entrySet().stream()
                    .filter(e -> e.getValue() > 0).collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        }
        assertThat(committed).containsAllEntriesOf(ends);

        AggregatorApp second = AggregatorApp.start(config);
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> flowCount(second, token) == FLOWS);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(flows(second, token)).isEqualTo(live)); // replay == live
        } finally {
            second.close();
        }
        assertThat(startRecords(broker)).isEqualTo(FLOWS); // the restart rebuilt state without exporting again
    }

    private static long startRecords(KafkaBroker broker) {
        AvroCodec<FlowRecord> codec = AvroCodec.of(FluxtapSchemas.FLOW_RECORD);
        try (KafkaConsumer<byte[], byte[]> c = consumer(broker)) {
            List<TopicPartition> tps = c.partitionsFor(Topics.FLOWS).stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            c.assign(tps);
            c.seekToBeginning(tps);
            Map<TopicPartition, Long> end = c.endOffsets(tps);
            long starts = 0;
            while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    try {
                        if (codec.decode(r.value()).getRecordType() == FlowRecordType.START) {
                            starts++;
                        }
                    } catch (dev.fluxtap.schemas.AvroDecodeException e) {
                        throw new AssertionError(e);
                    }
                }
            }
            return starts;
        }
    }

    private static KafkaConsumer<byte[], byte[]> consumer(KafkaBroker broker) {
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "probe-" + UUID.randomUUID(), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
