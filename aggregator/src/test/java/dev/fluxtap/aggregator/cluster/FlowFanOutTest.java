package dev.fluxtap.aggregator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fluxtap.aggregator.config.ClusterConfig;
import dev.fluxtap.aggregator.observe.AggregatorMeters;
import dev.fluxtap.aggregator.serve.rest.Json;
import dev.fluxtap.aggregator.testing.EmptyPartials;
import dev.fluxtap.schemas.avro.AggregatePartial;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/** Fan-out against real HTTP peers: one answers (and sees the caller's token and scope=local), one is too slow. */
class FlowFanOutTest {

    private final ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();
    private DisposableServer fast;
    private DisposableServer slow;

    @AfterEach
    void stop() {
        fast.disposeNow();
        slow.disposeNow();
    }

    private static String flow(String id, String lastSeen, boolean ended) {
        return "{\"flowId\":\"" + id + "\",\"lastSeen\":\"" + lastSeen + "\",\"ended\":" + ended + "}";
    }

    private static AggregatePartial member(String id, String url) {
        return EmptyPartials.of(id, "", url);
    }

    @Test
    void mergesPeerAnswersAndMarksASilentPeerMissing() {
        fast = HttpServer.create().host("127.0.0.1").port(0).route(r -> r.get("/api/v1/flows", (req, res) -> {
            seen.add(req.uri() + " auth=" + req.requestHeaders().get("Authorization"));
            String body = "{\"flows\":[" + flow("f-2", "2026-01-01T00:00:02Z", false) + "," + flow("f-1", "2026-01-01T00:00:05Z", true) + "]}";
            return res.header("Content-Type", "application/json").sendString(Mono.just(body));
        })).bindNow();
        slow = HttpServer.create().host("127.0.0.1").port(0).route(r -> r.get("/api/v1/flows", (req, res) ->
                Mono.delay(Duration.ofSeconds(5)).then(res.sendString(Mono.just("{\"flows\":[]}")).then()))).bindNow();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ClusterView view = new ClusterView("me", new EmptyLocalState(), a -> null, ClusterConfig.defaults(), new AggregatorMeters(registry), Clock.systemUTC());
        view.accept(member("me", "http://127.0.0.1:1"));
        view.accept(member("fast", "http://127.0.0.1:" + fast.port()));
        view.accept(member("slow", "http://127.0.0.1:" + slow.port() + "/"));
        FlowFanOut fanOut = new FlowFanOut(view, Duration.ofMillis(500), Json.MAPPER, new AggregatorMeters(registry));

        List<Map<String, Object>> own = List.of(Map.of("flowId", "f-1", "lastSeen", "2026-01-01T00:00:04Z", "ended", false),
                Map.of("flowId", "f-3", "lastSeen", "2026-01-01T00:00:03Z", "ended", false));
        FlowFanOut.Result r = fanOut.query("ip=10.0.0.1&scope=cluster&limit=10", "Bearer s3cret", own, 10).block(Duration.ofSeconds(5));

        assertThat(r.missingPeers()).containsExactly("slow");
        assertThat(r.flows()).extracting(f -> f.get("flowId").asText()).containsExactly("f-1", "f-3", "f-2");
        JsonNode f1 = r.flows().get(0);
        assertThat(f1.get("ended").asBoolean()).as("the peer's newer view of f-1 wins").isTrue();
        assertThat(seen).containsExactly("/api/v1/flows?ip=10.0.0.1&limit=10&scope=local auth=Bearer s3cret");
        assertThat(registry.get("fluxtap.aggregator.cluster.fanout.failures").tag("reason", "timeout").counter().count()).isEqualTo(1);

        FlowFanOut.Result cut = fanOut.query("", null, own, 2).block(Duration.ofSeconds(5));
        assertThat(cut.flows()).extracting(f -> f.get("flowId").asText()).containsExactly("f-1", "f-3");
        assertThat(seen).last().isEqualTo("/api/v1/flows?scope=local auth=null");
    }
}
