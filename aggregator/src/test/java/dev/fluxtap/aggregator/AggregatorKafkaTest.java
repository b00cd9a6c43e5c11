package dev.fluxtap.aggregator;

import static dev.fluxtap.aggregator.testing.Packets.connection;
import static dev.fluxtap.aggregator.testing.Packets.udp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fluxtap.aggregator.config.AggregatorConfig;
import dev.fluxtap.aggregator.config.HttpConfig;
import dev.fluxtap.aggregator.config.KafkaConfig;
import dev.fluxtap.aggregator.testing.AgentFixture;
import dev.fluxtap.aggregator.testing.Packets;
import dev.fluxtap.aggregator.testing.Packets.Pkt;
import dev.fluxtap.kafka.testing.KafkaBroker;
import dev.fluxtap.kafka.testing.KafkaBrokerExtension;
import dev.fluxtap.schemas.AvroCodec;
import dev.fluxtap.schemas.FluxtapSchemas;
import dev.fluxtap.schemas.Topics;
import dev.fluxtap.schemas.avro.FlowRecord;
import dev.fluxtap.schemas.avro.TcpConnection;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.yaml.snakeyaml.Yaml;

/** The whole aggregator in-process against a real embedded broker, fed by an agent-like producer; read through HTTP. */
@ExtendWith(KafkaBrokerExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AggregatorKafkaTest {

    private static final int PARTITIONS = 6;
    private static final long T0 = System.currentTimeMillis() * 1000 - 120_000_000L;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newHttpClient();
    private KafkaBroker broker;
    private AggregatorApp app;

    @BeforeAll
    void start(KafkaBroker kafka) {
        broker = kafka;
        AggregatorConfig config = AggregatorConfig.defaults()
                .withKafka(KafkaConfig.defaults().withBootstrapServers(kafka.bootstrapServers()))
                .withHttp(new HttpConfig("127.0.0.1", 0, Optional.empty(), 100));
        app = AggregatorApp.start(config);
    }

    @AfterAll
    void stop() {
        if (app != null) {
            app.close();
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode getJson(String path) throws Exception {
        HttpResponse<String> r = get(path);
        assertThat(r.statusCode()).as(path + " -> " + r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private AgentFixture agent(String id) {
        return new AgentFixture(broker.bootstrapServers(), id, "boot-" + UUID.randomUUID(), PARTITIONS);
    }

    private static String tuple(String srcIp, int srcPort, String dstIp, int dstPort) {
        return srcIp + ":" + srcPort + ">" + dstIp + ":" + dstPort;
    }

    @Test
    void flowsFromTheRestApiEqualTheSyntheticTrafficSent() throws Exception {
        List<Pkt> packets = new ArrayList<>();
        Map<String, long[]> expected = new HashMap<>(); // tuple -> fwdPackets, fwdBytes, revPackets, revBytes
        for (int i = 0; i < 40; i++) {
            String client = "10.1.0." + (i + 1);
            List<Pkt> conn = connection(T0 + i * 10_000L, client, 40000 + i, "10.1.1.1", 443, 1 + i % 5);
            packets.addAll(conn);
            long[] e = new long[4];
            for (Pkt p : conn) {
                boolean fwd = p.srcIp().equals(client);
                e[fwd ? 0 : 2]++;
                e[fwd ? 1 : 3] += p.ipBytes();
            }
            expected.put(tuple(client, 40000 + i, "10.1.1.1", 443), e);
        }
        for (int i = 0; i < 10; i++) {
            packets.add(udp(T0 + 500_000 + i, "10.1.2." + (i + 1), 5353, "10.1.1.53", 53, 40));
            packets.add(udp(T0 + 600_000 + i, "10.1.1.53", 53, "10.1.2." + (i + 1), 5353, 200));
            expected.put(tuple("10.1.2." + (i + 1), 5353, "10.1.1.53", 53), new long[] {1, 68, 1, 228});
        }
        packets.sort(java.util.Comparator.comparingLong(Pkt::tsMicros));
        try (AgentFixture agent = agent("flows-agent")) {
            agent.send(packets, 50);
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            JsonNode flows = getJson("/api/v1/flows?agent=flows-agent&limit=1000").get("flows");
            Map<String, long[]> actual = new HashMap<>();
            for (JsonNode f : flows) {
                actual.put(tuple(f.get("srcIp").asText(), f.get("srcPort").asInt(), f.get("dstIp").asText(), f.get("dstPort").asInt()),
                        new long[] {f.get("fwdPackets").asLong(), f.get("fwdBytes").asLong(), f.get("revPackets").asLong(), f.get("revBytes").asLong()});
            }
            assertThat(actual.keySet()).isEqualTo(expected.keySet());
            expected.forEach((k, v) -> assertThat(actual.get(k)).as(k).containsExactly(v));
        });
        JsonNode tcp = getJson("/api/v1/flows?ip=10.1.0.1&port=443&protocol=6").get("flows");
        assertThat(tcp).hasSize(1);
        assertThat(tcp.get(0).get("tcpState").asText()).isEqualTo("CLOSED");
        assertThat(tcp.get(0).get("agents").get(0).asText()).isEqualTo("flows-agent");
        assertThat(tcp.get(0).get("firstSeen").asText()).endsWith("Z");
        assertThat(tcp.get(0).get("handshakeRttMicros").asLong()).isEqualTo(2000);
        // The operator sees how many live views were published (the refresher publishes the changed flows' views).
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Matcher liveViews = Pattern.compile("(?m)^fluxtap_aggregator_flows_live_views (\\S+)$")
                    .matcher(get("/metrics").body());
            assertThat(liveViews.find()).as("fluxtap_aggregator_flows_live_views on /metrics").isTrue();
            assertThat(Double.parseDouble(liveViews.group(1))).isPositive();
        });

        // The same flows went out on fluxtap.flows.v1, keyed by flow id.
        Set<String> startedIds = new HashSet<>();
        AvroCodec<FlowRecord> codec = AvroCodec.of(FluxtapSchemas.FLOW_RECORD);
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            consumer.subscribe(List.of(Topics.FLOWS));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    FlowRecord f = codec.decode(r.value());
                    assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(f.getFlowId());
                    if (f.getRecordType().name().equals("START") && f.getDstPort() == 443) {
                        startedIds.add(f.getFlowId());
                    }
                }
                assertThat(startedIds).hasSizeGreaterThanOrEqualTo(40);
            });
        }
    }

    @Test
    void topTalkersAreCorrectForSyntheticTraffic() throws Exception {
        // Host 10.2.0.1 sends 3 x 1000 B, 10.2.0.2 sends 2 x 1000 B, 10.2.0.3 sends 1 x 1000 B, all to 10.2.9.9.
        List<Pkt> packets = new ArrayList<>();
        int[] counts = {3, 2, 1};
        for (int h = 0; h < counts.length; h++) {
            for (int n = 0; n < counts[h]; n++) {
                packets.add(new Pkt(T0 + 1_000_000 + h * 100 + n, 17, "10.2.0." + (h + 1), 7000, "10.2.9.9", 9999, 1000, 0, 0, 972));
            }
        }
        try (AgentFixture agent = agent("talker-agent")) {
            agent.send(packets, 100);
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            JsonNode r = getJson("/api/v1/top-talkers?by=pair&window=60m&metric=bytes&limit=1000");
            assertThat(r.get("exact").asBoolean()).isTrue();
            assertThat(r.get("maxError").asLong()).isZero();
            Map<String, Long> talkers = new HashMap<>();
            r.get("talkers").forEach(t -> talkers.put(t.get("key").asText(), t.get("value").asLong()));
            assertThat(talkers).containsEntry("10.2.0.1|10.2.9.9", 3000L).containsEntry("10.2.0.2|10.2.9.9", 2000L)
                    .containsEntry("10.2.0.3|10.2.9.9", 1000L);
        });
        JsonNode hosts = getJson("/api/v1/top-talkers?by=host&window=60m&metric=packets&limit=1000");
        Map<String, Long> byHost = new HashMap<>();
        hosts.get("talkers").forEach(t -> byHost.put(t.get("key").asText(), t.get("value").asLong()));
        assertThat(byHost).containsEntry("10.2.9.9", 6L).containsEntry("10.2.0.1", 3L).containsEntry("10.2.0.3", 1L);
        JsonNode ports = getJson("/api/v1/top-talkers?by=port&window=60m&metric=packets&limit=1000");
        assertThat(ports.toString()).contains("\"key\":\"17/9999\",\"value\":6");
    }

    @Test
    void poisonRecordsGoToTheDeadletterTopicAndThePipelineContinues() throws Exception {
        try (AgentFixture agent = agent("poison-agent"); KafkaConsumer<byte[], byte[]> dlq = consumer()) {
            dlq.subscribe(List.of(Topics.DEADLETTER));
            byte[] valid = agent.encode(dev.fluxtap.schemas.avro.PacketBatch.newBuilder().setAgentId("poison-agent").setBootId("b")
                    .setPartition(0).setSequence(0).setCreatedMicros(1).setPackets(List.of(AgentFixture.summary(
                            udp(T0, "10.3.0.1", 1, "10.3.0.2", 2, 10)))).build());
            byte[] unknown = valid.clone();
            unknown[2] ^= 0x5A; // a fingerprint no released schema has
            agent.sendRaw(Topics.PACKETS, 0, "this is not avro".getBytes(StandardCharsets.UTF_8));
            agent.sendRaw(Topics.PACKETS, 1, java.util.Arrays.copyOf(valid, valid.length - 8));
            agent.sendRaw(Topics.PACKETS, 2, unknown);
            agent.sendRaw(Topics.TCP_STATS, 0, valid); // a PacketBatch where a TcpStatsSnapshot belongs
            Random random = new Random(8);
            Set<ByteBuffer> randomValues = new HashSet<>();
            for (int i = 0; i < 200; i++) {
                byte[] junk = new byte[1 + random.nextInt(300)];
                random.nextBytes(junk);
                randomValues.add(ByteBuffer.wrap(junk));
                agent.sendRaw(Topics.PACKETS, i % 3, junk);
            }
            List<Pkt> after = List.of(udp(T0 + 2_000_000, "10.3.1.1", 1111, "10.3.1.2", 2222, 10));
            agent.send(after, 10);

            Map<String, Map<String, String>> byReason = new HashMap<>();
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                for (ConsumerRecord<byte[], byte[]> r : dlq.poll(Duration.ofMillis(200))) {
                    Map<String, String> headers = new HashMap<>();
                    for (Header h : r.headers()) {
                        headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
                    }
                    if (!randomValues.remove(ByteBuffer.wrap(r.value()))) {
                        byReason.put(headers.get(Topics.DeadletterHeaders.REASON), headers);
                    }
                }
                assertThat(byReason).containsKeys("bad-header", "corrupt-body", "unknown-schema", "wrong-type");
                assertThat(randomValues).as("random records not dead-lettered").isEmpty();
            });
            assertThat(byReason.get("bad-header")).containsEntry(Topics.DeadletterHeaders.SOURCE_TOPIC, Topics.PACKETS)
                    .containsEntry(Topics.DeadletterHeaders.SOURCE_PARTITION, "0").containsKey(Topics.DeadletterHeaders.SOURCE_OFFSET)
                    .containsKey(Topics.DeadletterHeaders.DETAIL);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(getJson("/api/v1/flows?ip=10.3.1.1").get("flows")).hasSize(1));
            assertThat(byReason.get("wrong-type")).containsEntry(Topics.DeadletterHeaders.SOURCE_TOPIC, Topics.TCP_STATS);
            String metrics = get("/metrics").body();
            assertThat(metrics).contains("fluxtap_aggregator_decode_errors_total{reason=\"unknown-schema\",topic=\"fluxtap.packets.v1\"}");
        }
    }

    @Test
    void aSkippedSequenceNumberIsCountedAsALostBatchAndARedeliveryIsDropped() throws Exception {
        try (AgentFixture agent = agent("gappy-agent")) {
            Pkt p = udp(T0 + 3_000_000, "10.4.0.1", 4000, "10.4.0.2", 4001, 10);
            int partition = AgentFixture.partitionOf(p, PARTITIONS);
            agent.sendBatch(partition, 0, List.of(AgentFixture.summary(p)));
            agent.sendBatch(partition, 1, List.of(AgentFixture.summary(p.at(p.tsMicros() + 1))));
            agent.sendBatch(partition, 3, List.of(AgentFixture.summary(p.at(p.tsMicros() + 3)))); // 2 never sent
            agent.sendBatch(partition, 3, List.of(AgentFixture.summary(p.at(p.tsMicros() + 3)))); // redelivered
            agent.sendStatus(System.currentTimeMillis() * 1000, 100, 0, 0);
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            JsonNode gappy = null;
            for (JsonNode a : getJson("/api/v1/agents").get("agents")) {
                if (a.get("agentId").asText().equals("gappy-agent")) {
                    gappy = a;
                }
            }
            assertThat(gappy).isNotNull();
            assertThat(gappy.get("lostBatches").asLong()).isEqualTo(1);
            assertThat(gappy.get("duplicateBatches").asLong()).isEqualTo(1);
            assertThat(gappy.get("batchesReceived").asLong()).isEqualTo(3);
            assertThat(gappy.get("packetsCaptured").asLong()).isEqualTo(100);
            assertThat(gappy.get("completeness").asDouble()).isEqualTo(0.99); // one lost batch of one summary in 100 packets
        });
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode flows = getJson("/api/v1/flows?ip=10.4.0.1").get("flows");
            assertThat(flows).hasSize(1);
            assertThat(flows.get(0).get("fwdPackets").asLong()).isEqualTo(3); // the duplicate was not counted
        });
        assertThat(get("/metrics").body()).contains("fluxtap_aggregator_batches_lost_total{agent=\"gappy-agent\"} 1.0");
    }

    @Test
    void connectionsComeFromTcpStatsAndJoinTheirFlow() throws Exception {
        TcpConnection c = TcpConnection.newBuilder().setLocalIp(Packets.address("10.5.0.1")).setLocalPort(45000)
                .setRemoteIp(Packets.address("10.5.0.2")).setRemotePort(9000).setState("ESTABLISHED").setRttMicros(1500L)
                .setCwndSegments(10).setPid(42).setProcessName("curl").setContainerId("c0ffee").build();
        TcpConnection other = TcpConnection.newBuilder(c).setLocalPort(45001).setRemotePort(22).setProcessName("ssh").setContainerId(null).build();
        try (AgentFixture agent = agent("stats-host")) {
            agent.sendTcpStats(T0, List.of(c, other));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(getJson("/api/v1/connections?host=stats-host").get("count").asInt()).isEqualTo(2));
            agent.send(connection(T0 + 4_000_000, "10.5.0.1", 45000, "10.5.0.2", 9000, 1), 100);
        }
        JsonNode ranged = getJson("/api/v1/connections?port=9000-9001&host=stats-host");
        assertThat(ranged.get("count").asInt()).isEqualTo(1);
        assertThat(ranged.get("connections").get(0).get("processName").asText()).isEqualTo("curl");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode flows = getJson("/api/v1/flows?ip=10.5.0.1&port=9000").get("flows");
            assertThat(flows).hasSize(1);
            JsonNode flow = flows.get(0);
            assertThat(flow.get("sockets")).isNotEmpty();
            assertThat(flow.get("sockets").get(0).get("processName").asText()).isEqualTo("curl");
            assertThat(flow.get("sockets").get(0).get("containerId").asText()).isEqualTo("c0ffee");
        });
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(getJson("/api/v1/top-talkers?by=container&window=60m").toString()).contains("c0ffee"));
    }

    @Test
    void invalidParametersAnswer400NamingTheParameter() throws Exception {
        Map<String, String> cases = Map.of(
                "/api/v1/flows?port=abc", "port",
                "/api/v1/flows?ip=not-an-ip", "ip",
                "/api/v1/flows?since=yesterday", "since",
                "/api/v1/flows?bogus=1", "bogus",
                "/api/v1/top-talkers?window=2m", "window",
                "/api/v1/top-talkers?by=planet", "by",
                "/api/v1/metrics/history?metric=bps&step=7s", "step",
                "/api/v1/metrics/history", "metric",
                "/api/v1/connections?port=9001-9000", "port",
                "/api/v1/flows?limit=0", "limit");
        for (Map.Entry<String, String> e : cases.entrySet()) {
            HttpResponse<String> r = get(e.getKey());
            assertThat(r.statusCode()).as(e.getKey()).isEqualTo(400);
            JsonNode body = JSON.readTree(r.body());
            assertThat(body.get("error").asText()).isEqualTo("bad_request");
            assertThat(body.get("parameter").asText()).as(e.getKey()).isEqualTo(e.getValue());
            assertThat(body.get("message").asText()).isNotBlank();
        }
    }

    @Test
    void everyOpenApiPathIsServedAndEveryServedPathIsDocumented() throws Exception {
        Map<String, Object> doc;
        try (InputStream in = new URI("http://127.0.0.1:" + app.httpPort() + "/api/openapi.yaml").toURL().openStream()) {
            doc = new Yaml().load(in);
        }
        @SuppressWarnings("unchecked")
        Set<String> documented = ((Map<String, Object>) doc.get("paths")).keySet();
        assertThat(documented).containsExactlyInAnyOrderElementsOf(app.httpPaths().stream().filter(p -> !p.endsWith("/**")).toList());
        for (String path : documented) {
            String uri = path.equals("/api/v1/metrics/history") ? path + "?metric=bps" : path;
            HttpResponse<String> r = get(uri);
            assertThat(r.statusCode()).as(uri).isIn(path.equals("/ws") ? List.of(426) : List.of(200, 503)); // /ws answers plain GETs 426
        }
        assertThat(get("/api/v1/nothing-here").statusCode()).isEqualTo(404);
        assertThat(getJson("/health").get("status").asText()).isIn("up", "starting");
        assertThat(getJson("/api/v1/metrics/summary").get("traffic").has("bps")).isTrue();
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID(), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
