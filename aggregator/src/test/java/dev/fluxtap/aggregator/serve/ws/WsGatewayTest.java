package dev.fluxtap.aggregator.serve.ws;

import static dev.fluxtap.aggregator.testing.Packets.connection;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fluxtap.aggregator.AggregatorApp;
import dev.fluxtap.aggregator.config.AggregatorConfig;
import dev.fluxtap.aggregator.config.HttpConfig;
import dev.fluxtap.aggregator.config.KafkaConfig;
import dev.fluxtap.aggregator.testing.AgentFixture;
import dev.fluxtap.aggregator.testing.Packets.Pkt;
import dev.fluxtap.kafka.testing.KafkaBroker;
import dev.fluxtap.kafka.testing.KafkaBrokerExtension;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;

/** The /ws protocol with real clients against the whole aggregator, fed through a real broker. */
@ExtendWith(KafkaBrokerExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WsGatewayTest {

    private static final long T0 = System.currentTimeMillis() * 1000 - 120_000_000L;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(30);

    private KafkaBroker broker;
    private AggregatorApp app;
    private String token;

    @BeforeAll
    void start(KafkaBroker kafka, @TempDir Path dir) throws Exception {
        broker = kafka;
        token = "ws-" + UUID.randomUUID();
        Path tokenFile = Files.writeString(dir.resolve("token"), token);
        AggregatorConfig config = AggregatorConfig.defaults()
                .withKafka(KafkaConfig.defaults().withBootstrapServers(kafka.bootstrapServers()))
                .withHttp(new HttpConfig("127.0.0.1", 0, Optional.of(tokenFile), 100).withWs(new HttpConfig.WsConfig(4, 64 * 1024, 16)));
        app = AggregatorApp.start(config);
        List<Pkt> packets = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            packets.addAll(connection(T0 + i * 1000L, "10.31.0." + (i + 1), 40000 + i, "10.31.9.9", 443, 2));
            packets.addAll(connection(T0 + i * 1000L, "10.32.0." + (i + 1), 40000 + i, "10.32.9.9", 80, 2));
        }
        try (AgentFixture agent = new AgentFixture(kafka.bootstrapServers(), "ws-agent", "boot-1", 6)) {
            agent.send(packets, 10);
        }
    }

    @AfterAll
    void stop() {
        if (app != null) {
            app.close();
        }
    }

    private WsTestClient client() {
        return WsTestClient.connect(app.httpPort(), token);
    }

    private double meter(String name) {
        var c = app.registry().find(name).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void subscribeWithAFilterGetsRestShapedPayloadsWithIncreasingSeqUntilUnsubscribed() {
        try (WsTestClient ws = client()) {
            ws.send("{\"type\":\"subscribe\",\"id\":\"tt\",\"stream\":\"topTalkers\",\"filter\":{\"by\":\"port\",\"window\":\"60m\",\"limit\":3},"
                    + "\"intervalMs\":100}");
            JsonNode first = ws.next("data", "tt");
            assertThat(first.get("payload").get("by").asText()).isEqualTo("port");
            assertThat(first.get("payload").get("window").asText()).isEqualTo("60m");
            JsonNode withTraffic = ws.next(n -> n.path("id").asText().equals("tt") && n.get("payload").get("talkers").size() > 0, WAIT);
            assertThat(withTraffic.get("payload").get("talkers").size()).isLessThanOrEqualTo(3);
            assertThat(withTraffic.get("seq").asLong()).isGreaterThan(first.get("seq").asLong());

            ws.send("{\"type\":\"subscribe\",\"id\":\"https\",\"stream\":\"flows\",\"filter\":{\"port\":443,\"limit\":100}}");
            JsonNode flows = ws.next(n -> n.path("id").asText().equals("https") && n.get("payload").get("flows").size() == 5, WAIT);
            flows.get("payload").get("flows").forEach(f -> assertThat(f.get("dstPort").asInt()).isEqualTo(443));

            ws.send("{\"type\":\"subscribe\",\"id\":\"m\",\"stream\":\"metrics\",\"intervalMs\":100}");
            assertThat(ws.next("data", "m").get("payload").has("traffic")).isTrue();

            ws.send("{\"type\":\"unsubscribe\",\"id\":\"tt\"}");
            ws.send("{\"type\":\"ping\",\"id\":\"p1\"}");
            ws.next("pong", "p1");
            int afterPong = ws.all.size();
            long mSeq = ws.next("data", "m").get("seq").asLong();
            ws.next(n -> n.path("id").asText().equals("m") && n.get("seq").asLong() >= mSeq + 3, WAIT);
            long ttAfter = ws.all.subList(afterPong, ws.all.size()).stream().filter(n -> n.path("id").asText().equals("tt")).count();
            assertThat(ttAfter).as("topTalkers messages after the unsubscribe was acknowledged").isLessThanOrEqualTo(1);
            ws.send("{\"type\":\"unsubscribe\",\"id\":\"tt\"}");
            assertThat(ws.next("error", "tt").get("reason").asText()).contains("active subscription");
        }
    }

    @Test
    void flowUpdatesArePushedForNewMatchingFlowsOnly() {
        try (WsTestClient ws = client()) {
            ws.send("{\"type\":\"subscribe\",\"id\":\"new\",\"stream\":\"flows\",\"filter\":{\"ip\":\"10.33.9.9\"}}");
            JsonNode initial = ws.next("data", "new");
            assertThat(initial.get("payload").get("flows").size()).isZero();
            List<Pkt> packets = new ArrayList<>();
            packets.addAll(connection(T0 + 50_000_000L, "10.33.0.1", 41000, "10.33.9.9", 8080, 1));
            packets.addAll(connection(T0 + 50_000_000L, "10.34.0.1", 41000, "10.34.9.9", 8080, 1));
            try (AgentFixture agent = new AgentFixture(broker.bootstrapServers(), "ws-agent-2", "boot-1", 6)) {
                agent.send(packets, 10);
            }
            JsonNode pushed = ws.next(n -> n.path("id").asText().equals("new") && n.get("seq").asLong() > 1, WAIT);
            JsonNode flow = pushed.get("payload").get("flows").get(0);
            assertThat(flow.get("srcIp").asText()).isEqualTo("10.33.0.1");
            assertThat(ws.all).noneMatch(n -> n.toString().contains("10.34.0.1"));
        }
    }

    @Test
    void badMessagesGetAnErrorAndTheConnectionStaysOpen() {
        try (WsTestClient ws = client()) {
            ws.send("not json");
            assertThat(ws.next("error", null).get("reason").asText()).contains("not valid JSON");
            ws.send("{\"type\":\"dance\",\"id\":\"d\"}");
            assertThat(ws.next("error", "d").get("reason").asText()).contains("unknown type 'dance'");
            ws.send("{\"type\":\"subscribe\",\"id\":\"x\",\"stream\":\"nope\"}");
            assertThat(ws.next("error", "x").get("reason").asText()).contains("flows|topTalkers|metrics|agents|connections");
            ws.send("{\"type\":\"subscribe\",\"id\":\"f\",\"stream\":\"topTalkers\",\"filter\":{\"by\":\"planet\"}}");
            assertThat(ws.next("error", "f").get("reason").asText()).startsWith("filter.by:").contains("host|pair|port|process|container");
            ws.send("{\"type\":\"subscribe\",\"id\":\"i\",\"stream\":\"agents\",\"intervalMs\":5}");
            assertThat(ws.next("error", "i").get("reason").asText()).contains("intervalMs");
            for (int i = 0; i < 4; i++) {
                ws.send("{\"type\":\"subscribe\",\"id\":\"s" + i + "\",\"stream\":\"agents\",\"intervalMs\":60000}");
            }
            ws.send("{\"type\":\"subscribe\",\"id\":\"s4\",\"stream\":\"agents\"}");
            assertThat(ws.next("error", "s4").get("reason").asText()).contains("at most 4 subscriptions");
            ws.send("{\"type\":\"ping\",\"id\":\"still-open\"}");
            ws.next("pong", "still-open");
            assertThat(ws.closeStatus).isNotDone();
        }
        assertThat(meter("fluxtap.aggregator.ws.errors")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void aMessageOverTheLimitClosesWith1009() throws Exception {
        try (WsTestClient ws = client()) {
            ws.send("{\"type\":\"ping\",\"id\":\"" + "x".repeat(70 * 1024) + "\"}");
            WebSocketCloseStatus status = ws.closeStatus.get(20, TimeUnit.SECONDS);
            assertThat(status.code()).isEqualTo(1009);
        }
    }

    @Test
    void theUpgradeIsRefusedWithoutTheTokenAndAcceptedWithTheBearerSubprotocol() throws Exception {
        try (WsTestClient anonymous = WsTestClient.connect(app.httpPort(), null);
             WsTestClient wrong = WsTestClient.connect(app.httpPort(), "not-the-token")) {
            assertThat(anonymous.failure.get(20, TimeUnit.SECONDS)).hasMessageContaining("401");
            assertThat(wrong.failure.get(20, TimeUnit.SECONDS)).hasMessageContaining("401");
        }
        var spec = WebsocketClientSpec.builder().protocols(WsGateway.SUBPROTOCOL + ", bearer." + token).build();
        String pong = HttpClient.create().websocket(spec).uri("ws://127.0.0.1:" + app.httpPort() + "/ws")
                .handle((in, out) -> out.sendString(reactor.core.publisher.Mono.just("{\"type\":\"ping\",\"id\":\"sp\"}"))
                        .then().thenMany(in.receive().asString().next()))
                .blockLast(Duration.ofSeconds(20));
        assertThat(JSON.readTree(pong).get("type").asText()).isEqualTo("pong");
    }

    @Test
    void aClientThatStopsReadingDoesNotDelayAnotherAndIsToldItLagged() throws Exception {
        double droppedBefore = meter("fluxtap.aggregator.ws.lagged.dropped");
        try (RawWsClient slow = new RawWsClient(app.httpPort(), token); WsTestClient fast = client()) {
            slow.send("{\"type\":\"subscribe\",\"id\":\"all\",\"stream\":\"flows\",\"filter\":{\"limit\":1}}");
            fast.send("{\"type\":\"subscribe\",\"id\":\"tt\",\"stream\":\"topTalkers\",\"intervalMs\":100}");
            fast.next("data", "tt");
            List<Pkt> packets = new ArrayList<>();
            for (int i = 0; i < 4000; i++) {
                packets.addAll(connection(T0 + 60_000_000L + i, "10.40." + (i / 250) + "." + (i % 250 + 1), 30000 + i % 1000, "10.41.0.1", 9000, 0));
            }
            try (AgentFixture agent = new AgentFixture(broker.bootstrapServers(), "ws-flood", "boot-1", 6)) {
                agent.send(packets, 200);
            }
            // the slow client has not read a byte since it subscribed: its buffer overflows, the aggregation goes on
            await().atMost(WAIT).until(() -> meter("fluxtap.aggregator.ws.lagged.dropped") > droppedBefore);
            await().atMost(WAIT).until(() -> app.registry().find("fluxtap.aggregator.store.flows").gauge().value() >= 4000);
            long seq = fast.next("data", "tt").get("seq").asLong();
            fast.next(n -> n.path("id").asText().equals("tt") && n.get("seq").asLong() >= seq + 5, WAIT);

            boolean lagged = false;
            for (int frames = 0; frames < 100_000 && !lagged; frames++) {
                RawWsClient.Frame f = slow.read();
                if (f.opcode() == 1) {
                    JsonNode n = JSON.readTree(f.text());
                    lagged = n.get("type").asText().equals("lagged") && n.get("id").asText().equals("all") && n.get("dropped").asLong() > 0;
                }
            }
            assertThat(lagged).as("the slow client got a lagged message once it read again").isTrue();
        }
    }

    @Test
    void clientsReceive1001WhenTheServerShutsDown() throws Exception {
        AggregatorConfig config = AggregatorConfig.defaults()
                .withKafka(new KafkaConfig(broker.bootstrapServers(), "ws-shutdown-test", Duration.ofSeconds(1), 1000, 500, 256, true, 6, 6, 1,
                        10_000))
                .withHttp(new HttpConfig("127.0.0.1", 0, Optional.empty(), 100));
        AggregatorApp second = AggregatorApp.start(config);
        WsTestClient a = WsTestClient.connect(second.httpPort(), null);
        WsTestClient b = WsTestClient.connect(second.httpPort(), null);
        try {
            a.send("{\"type\":\"subscribe\",\"id\":\"a\",\"stream\":\"metrics\",\"intervalMs\":100}");
            b.send("{\"type\":\"subscribe\",\"id\":\"b\",\"stream\":\"flows\"}");
            a.next("data", "a");
            b.next("data", "b");
        } finally {
            second.close();
        }
        assertThat(a.closeStatus.get(10, TimeUnit.SECONDS)).isEqualTo(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE);
        assertThat(b.closeStatus.get(10, TimeUnit.SECONDS).code()).isEqualTo(1001);
        assertThat(a.closeStatus.get().reasonText()).isEqualTo("server shutting down");
        a.close();
        b.close();
    }

    @Test
    void aSilentClientIsClosedWith1000AfterTheIdleTimeout() throws Exception {
        AggregatorConfig config = AggregatorConfig.defaults()
                .withKafka(new KafkaConfig(broker.bootstrapServers(), "ws-idle-test", Duration.ofSeconds(1), 1000, 500, 256, true, 6, 6, 1,
                        10_000))
                .withHttp(new HttpConfig("127.0.0.1", 0, Optional.empty(), 100).withIdleTimeout(Duration.ofSeconds(1)));
        try (AggregatorApp third = AggregatorApp.start(config); WsTestClient silent = WsTestClient.connect(third.httpPort(), null)) {
            WebSocketCloseStatus status = silent.closeStatus.get(20, TimeUnit.SECONDS);
            assertThat(status.code()).isEqualTo(1000);
            assertThat(status.reasonText()).startsWith("idle timeout");
        }
    }

    @Test
    void theGatewayAndListenerMetersAreScrapedFromMetrics() throws Exception {
        try (WsTestClient ws = client()) {
            ws.send("{\"type\":\"ping\",\"id\":\"m\"}");
            ws.next("pong", "m");
            String scrape = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + app.httpPort() + "/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            assertThat(scrape).containsPattern("(?m)^fluxtap_aggregator_ws_connections(\\{[^}]*\\})? [1-9]")
                    .containsPattern("(?m)^fluxtap_aggregator_ws_messages_in_total(\\{[^}]*\\})? [1-9]")
                    .containsPattern("(?m)^fluxtap_aggregator_ws_messages_out_total(\\{[^}]*\\})? [1-9]")
                    .containsPattern("(?m)^fluxtap_aggregator_http_connections_opened_total(\\{[^}]*\\})? [1-9]")
                    .containsPattern("(?m)^fluxtap_aggregator_http_connections_open(\\{[^}]*\\})? [1-9]")
                    .contains("fluxtap_aggregator_http_connections_closed_total");
        }
    }
}
