package dev.fluxtap.aggregator;

import static dev.fluxtap.aggregator.testing.Packets.connection;
import static dev.fluxtap.aggregator.testing.Packets.udp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fluxtap.aggregator.config.AggregatorConfig;
import dev.fluxtap.aggregator.config.ClusterConfig;
import dev.fluxtap.aggregator.config.HttpConfig;
import dev.fluxtap.aggregator.config.KafkaConfig;
import dev.fluxtap.aggregator.metrics.TrafficMetrics;
import dev.fluxtap.aggregator.observe.AggregatorMeters;
import dev.fluxtap.aggregator.serve.ws.WsTestClient;
import dev.fluxtap.aggregator.testing.AgentFixture;
import dev.fluxtap.aggregator.testing.CountingFlowPublisher;
import dev.fluxtap.aggregator.testing.Packets;
import dev.fluxtap.aggregator.testing.Packets.Pkt;
import dev.fluxtap.aggregator.topk.Dimension;
import dev.fluxtap.aggregator.topk.TopTalkersResult;
import dev.fluxtap.kafka.testing.KafkaBroker;
import dev.fluxtap.kafka.testing.KafkaBrokerExtension;
import dev.fluxtap.schemas.AvroCodec;
import dev.fluxtap.schemas.FluxtapSchemas;
import dev.fluxtap.schemas.Topics;
import dev.fluxtap.schemas.avro.FlowRecord;
import dev.fluxtap.schemas.avro.FlowRecordType;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Three aggregator instances in one consumer group over six packets partitions, against a real embedded broker and
 * fed the way the agent partitions: global top talkers and metrics from any instance equal a single-instance
 * computation over the same input, flow queries (REST, and WebSocket subscriptions) from any instance return every
 * flow, every instance counts every batch of the agent, and after one instance stops the survivors rebuild its partitions from the log and answer the
 * same, without exporting START again.
 */
@ExtendWith(KafkaBrokerExtension.class)
class AggregatorClusterTest {

    private static final int PARTITIONS = 6;
    private static final int MAX_BATCH = 20;
    private static final long T0 = System.currentTimeMillis() * 1000 - 120_000_000L;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newHttpClient();
    private final Map<String, AggregatorApp> apps = new TreeMap<>();

    @AfterEach
    void stop() {
        apps.values().forEach(AggregatorApp::close);
    }

    private static AggregatorConfig config(KafkaBroker kafka, String id) {
        KafkaConfig k = new KafkaConfig(kafka.bootstrapServers(), "fluxtap-cluster-test", Duration.ofMillis(300), 1000, 500, 256, true,
                PARTITIONS, PARTITIONS, 1, 10_000);
        return AggregatorConfig.defaults().withKafka(k).withHttp(new HttpConfig("127.0.0.1", 0, Optional.empty(), 100))
                .withCluster(ClusterConfig.defaults().withInstanceId(id).withIntervals(Duration.ofMillis(300), Duration.ofSeconds(5)));
    }

    /** Deterministic traffic: TCP connections of different sizes to five servers, and DNS-like UDP exchanges. */
    private static List<Pkt> traffic() {
        List<Pkt> packets = new ArrayList<>();
        for (int i = 0; i < 48; i++) {
            packets.addAll(connection(T0 + i * 10_000L, "10.7.0." + (i + 1), 41000 + i, "10.7.1." + (1 + i % 5), i % 2 == 0 ? 443 : 80,
                    1 + i % 7));
        }
        for (int i = 0; i < 12; i++) {
            packets.add(udp(T0 + 700_000 + i, "10.7.2." + (i + 1), 5353, "10.7.1.53", 53, 40 + i));
            packets.add(udp(T0 + 800_000 + i, "10.7.1.53", 53, "10.7.2." + (i + 1), 5353, 200 + i));
        }
        packets.sort(Comparator.comparingLong(Pkt::tsMicros));
        return packets;
    }

    private static String tuple(JsonNode f) {
        return f.get("srcIp").asText() + ":" + f.get("srcPort").asInt() + ">" + f.get("dstIp").asText() + ":" + f.get("dstPort").asInt();
    }

    /** The same input through one pipeline that owns every partition: what the cluster must answer. */
    private record Expected(Map<String, Long> hostBytes, Map<String, Long> pairPackets, Set<String> flows, double bps, double pps,
                            long batches, long summaries) {
    }

    private static Expected singleInstance(List<Pkt> packets) {
        CountingFlowPublisher none = new CountingFlowPublisher();
        Pipeline pipeline = new Pipeline(AggregatorConfig.defaults(), new AggregatorMeters(new SimpleMeterRegistry()), none, Clock.systemUTC());
        Map<Integer, List<Pkt>> byPartition = new TreeMap<>();
        packets.forEach(p -> byPartition.computeIfAbsent(AgentFixture.partitionOf(p, PARTITIONS), k -> new ArrayList<>()).add(p));
        byPartition.forEach((partition, list) -> pipeline.onPackets(partition, Packets.batch("cluster-agent", partition, 0, list), false));
        pipeline.refresh();
        Map<String, Long> hosts = entries(pipeline.topTalkers().query(Dimension.HOST, "60m", true, 1000));
        Map<String, Long> pairs = entries(pipeline.topTalkers().query(Dimension.PAIR, "60m", false, 1000));
        Set<String> flows = new java.util.HashSet<>();
        pipeline.tables().forEach(t -> t.views().forEach(f -> flows.add(f.srcIp() + ":" + f.srcPort() + ">" + f.dstIp() + ":" + f.dstPort())));
        TrafficMetrics.Summary s = pipeline.metrics(true).summary(20);
        long batches = byPartition.values().stream().mapToLong(list -> (list.size() + MAX_BATCH - 1) / MAX_BATCH).sum(); // as the fixture sends them
        return new Expected(hosts, pairs, flows, s.bps(), s.pps(), batches, packets.size());
    }

    private static Map<String, Long> entries(TopTalkersResult r) {
        Map<String, Long> m = new TreeMap<>();
        r.entries().forEach(e -> m.put(e.key(), e.value()));
        return m;
    }

    private JsonNode get(AggregatorApp app, String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path + " -> " + r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private static Map<String, Long> talkers(JsonNode answer) {
        Map<String, Long> m = new TreeMap<>();
        answer.get("talkers").forEach(t -> m.put(t.get("key").asText(), t.get("value").asLong()));
        return m;
    }

    private void assertGlobalAnswers(Expected expected, String agentId) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            for (AggregatorApp app : apps.values()) {
                JsonNode hosts = get(app, "/api/v1/top-talkers?by=host&window=60m&metric=bytes&limit=1000");
                assertThat(talkers(hosts)).as(app.instanceId() + " hosts").isEqualTo(expected.hostBytes());
                assertThat(hosts.get("exact").asBoolean()).isTrue();
                JsonNode pairs = get(app, "/api/v1/top-talkers?by=pair&window=60m&metric=packets&limit=1000");
                assertThat(talkers(pairs)).as(app.instanceId() + " pairs").isEqualTo(expected.pairPackets());
                JsonNode summary = get(app, "/api/v1/metrics/summary").get("traffic");
                assertThat(summary.get("bps").asDouble()).as(app.instanceId() + " bps").isEqualTo(expected.bps());
                assertThat(summary.get("pps").asDouble()).as(app.instanceId() + " pps").isEqualTo(expected.pps());
                JsonNode flows = get(app, "/api/v1/flows?limit=1000");
                assertThat(flows.get("complete").asBoolean()).isTrue();
                Set<String> seen = new java.util.HashSet<>();
                flows.get("flows").forEach(f -> seen.add(tuple(f)));
                assertThat(seen).as(app.instanceId() + " flows").isEqualTo(expected.flows());
                assertThat(flows.get("flows")).hasSize(expected.flows().size());
                JsonNode agent = agent(app, "/api/v1/agents", agentId);
                assertThat(agent.get("batchesReceived").asLong()).as(app.instanceId() + " batches of the agent").isEqualTo(expected.batches());
                assertThat(agent.get("summariesReceived").asLong()).as(app.instanceId() + " summaries").isEqualTo(expected.summaries());
                assertThat(agent.get("lostBatches").asLong()).as(app.instanceId() + " lost batches").isZero();
            }
        });
    }

    /**
     * An instance joining after traffic was read gets its partitions within seconds. Reactor Kafka held each revocation
     * until every polled record was acknowledged, up to a minute; ingest acknowledges one offset per partition per
     * commit, so the running instance stalled that minute and the new one waited for its partitions.
     */
    @Test
    void anInstanceJoiningAfterTrafficGetsItsPartitionsWithinSeconds(KafkaBroker kafka) throws Exception {
        apps.put("agg-a", AggregatorApp.start(config(kafka, "agg-a")));
        await().atMost(Duration.ofSeconds(40)).until(() -> apps.get("agg-a").assignedPartitions().size() == PARTITIONS);
        List<Pkt> packets = traffic();
        Expected expected = singleInstance(packets);
        // Another agent than the other test's: if that test ran first, the topic holds the same packets seen by its agent,
        // which are the same flows observed twice (a flow counts its busiest observer), so the answers are the same.
        try (AgentFixture agent = new AgentFixture(kafka.bootstrapServers(), "joining-test-agent", "boot-" + UUID.randomUUID(), PARTITIONS)) {
            agent.send(packets, MAX_BATCH);
        }
        assertGlobalAnswers(expected, "joining-test-agent");

        apps.put("agg-b", AggregatorApp.start(config(kafka, "agg-b")));
        await("the partitions split between the two").atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(apps.get("agg-a").assignedPartitions()).hasSize(PARTITIONS / 2);
            assertThat(apps.get("agg-b").assignedPartitions()).hasSize(PARTITIONS / 2);
        });
        assertGlobalAnswers(expected, "joining-test-agent");
    }

    /** The agent in the answer of {@code path} (an agents query), or null. */
    private JsonNode agent(AggregatorApp app, String path, String agentId) throws Exception {
        for (JsonNode a : get(app, path).get("agents")) {
            if (a.get("agentId").asText().equals(agentId)) {
                return a;
            }
        }
        return null;
    }

    /** A flows subscription gets the whole cluster's flows, again and again; a scope=local one only the instance's. */
    private static void assertWebSocketFlows(AggregatorApp app, Expected expected) {
        try (WsTestClient ws = WsTestClient.connect(app.httpPort(), null)) {
            ws.send("{\"type\":\"subscribe\",\"id\":\"all\",\"stream\":\"flows\",\"filter\":{\"limit\":1000},\"intervalMs\":200}");
            JsonNode first = ws.next(n -> isWholeAnswer(n, "all"), Duration.ofSeconds(20));
            assertThat(tuples(first)).as("flows of the first whole answer").isEqualTo(expected.flows());
            JsonNode again = ws.next(n -> isWholeAnswer(n, "all"), Duration.ofSeconds(20));
            assertThat(again.get("seq").asLong()).isGreaterThan(first.get("seq").asLong());
            assertThat(tuples(again)).as("flows of a later whole answer").isEqualTo(expected.flows());

            ws.send("{\"type\":\"subscribe\",\"id\":\"own\",\"stream\":\"flows\",\"filter\":{\"limit\":1000,\"scope\":\"local\"}}");
            Set<String> own = tuples(ws.next(n -> isWholeAnswer(n, "own"), Duration.ofSeconds(20)));
            assertThat(own).as("flows of " + app.instanceId() + " alone").isNotEmpty().hasSizeLessThan(expected.flows().size());
            assertThat(expected.flows()).containsAll(own);
        }
    }

    private static boolean isWholeAnswer(JsonNode message, String id) {
        return "data".equals(message.path("type").asText()) && id.equals(message.path("id").asText()) && message.path("payload").has("complete");
    }

    private static Set<String> tuples(JsonNode message) {
        Set<String> out = new java.util.HashSet<>();
        message.get("payload").get("flows").forEach(f -> out.add(tuple(f)));
        return out;
    }

    @Test
    void threeInstancesAnswerForTheClusterAndSurviveOneLeaving(KafkaBroker kafka) throws Exception {
        for (String id : List.of("agg-a", "agg-b", "agg-c")) {
            apps.put(id, AggregatorApp.start(config(kafka, id)));
        }
        await().atMost(Duration.ofSeconds(40)).untilAsserted(() -> {
            Set<Integer> all = new java.util.HashSet<>();
            for (AggregatorApp app : apps.values()) {
                assertThat(app.assignedPartitions()).as(app.instanceId()).hasSize(2);
                all.addAll(app.assignedPartitions());
            }
            assertThat(all).hasSize(PARTITIONS);
            assertThat(apps.get("agg-a").cluster().members()).hasSize(3);
        });
        // A local answer covers only the instance's own partitions: the global one has to merge.
        List<Pkt> packets = traffic();
        Expected expected = singleInstance(packets);
        try (AgentFixture agent = new AgentFixture(kafka.bootstrapServers(), "cluster-agent", "boot-" + UUID.randomUUID(), PARTITIONS)) {
            agent.send(packets, MAX_BATCH);
        }
        assertGlobalAnswers(expected, "cluster-agent");
        JsonNode local = get(apps.get("agg-a"), "/api/v1/top-talkers?by=host&window=60m&metric=bytes&limit=1000&scope=local");
        assertThat(talkers(local)).isNotEqualTo(expected.hostBytes());
        assertWebSocketFlows(apps.get("agg-a"), expected);
        JsonNode localAgent = agent(apps.get("agg-a"), "/api/v1/agents?scope=local", "cluster-agent");
        assertThat(localAgent.get("batchesReceived").asLong()).as("batches of agg-a's own partitions").isPositive()
                .isLessThan(expected.batches());

        AggregatorApp leaving = apps.remove("agg-c");
        leaving.close();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (AggregatorApp app : apps.values()) {
                assertThat(app.assignedPartitions()).as(app.instanceId()).hasSize(3);
            }
        });
        assertGlobalAnswers(expected, "cluster-agent");

        // Rebuilt flows were not exported again: one START per flow on fluxtap.flows.v1.
        Map<String, Integer> starts = new HashMap<>();
        AvroCodec<FlowRecord> codec = AvroCodec.of(FluxtapSchemas.FLOW_RECORD);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "cluster-test-reader", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.FLOWS));
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    FlowRecord f = codec.decode(r.value());
                    if (f.getRecordType() == FlowRecordType.START) {
                        starts.merge(f.getFlowId(), 1, Integer::sum);
                    }
                }
                assertThat(starts).hasSize(expected.flows().size());
            });
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                FlowRecord f = codec.decode(r.value());
                if (f.getRecordType() == FlowRecordType.START) {
                    starts.merge(f.getFlowId(), 1, Integer::sum);
                }
            }
        }
        assertThat(starts.values()).as("START records per flow").containsOnly(1);
    }
}
