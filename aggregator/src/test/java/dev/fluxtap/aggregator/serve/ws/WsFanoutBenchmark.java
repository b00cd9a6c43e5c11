package dev.fluxtap.aggregator.serve.ws;

import dev.fluxtap.aggregator.flow.Counters;
import dev.fluxtap.aggregator.flow.Flow;
import dev.fluxtap.aggregator.flow.FlowObserver;
import dev.fluxtap.aggregator.serve.rest.RestRoutes;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * WebSocket fan-out of one flow update to {@code subscribers} sessions of the flows stream: the text of every data
 * message. {@code shared} is what the gateway does ({@link FlowUpdate}: the flow's JSON built once, each session adds
 * its envelope of id and sequence number); {@code perSubscriber} is what it did before (the JSON built again in every
 * session). Scores are updates/s; divide by nothing, one operation is one update to all subscribers.
 * Here, beside the package-private classes it measures. Run: bench/jmh.sh WsFanoutBenchmark.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx1g", "-XX:+UseParallelGC"})
public class WsFanoutBenchmark {

    @Param({"1", "100", "1000"})
    public int subscribers;

    private Flow[] flows;
    private String[] idJson;
    private long seq;
    private int next;

    @Setup
    public void setup() {
        flows = new Flow[256];
        for (int i = 0; i < flows.length; i++) {
            long ts = 1_700_000_000_000_000L + i;
            Counters fwd = new Counters(10 + i, 5200 + i, 0x18), rev = new Counters(12 + i, 150_000 + i, 0x18);
            flows[i] = new Flow("3-18c2a4f0b1-" + Integer.toHexString(i), 3, 4, 6, "10.20.0." + i, 40000 + i, "10.30.0.1", 443, ts, ts + 5000,
                    fwd, rev, "ESTABLISHED", 240L, 0, 1, 20, false, null, List.of(new FlowObserver("agent-1", fwd, rev, ts, ts + 5000, 0, 1)),
                    List.of(), Flow.pairKey("10.20.0." + i, "10.30.0.1"), Flow.portKey(6, 443));
        }
        idJson = new String[subscribers];
        for (int i = 0; i < subscribers; i++) {
            idJson[i] = WsMessages.json("flows-" + i);
        }
    }

    @Benchmark
    public void shared(Blackhole bh) {
        FlowUpdate u = new FlowUpdate(nextFlow());
        long s = ++seq;
        for (String id : idJson) {
            bh.consume(WsMessages.data(id, s, u.json()));
        }
    }

    @Benchmark
    public void perSubscriber(Blackhole bh) {
        Flow f = nextFlow();
        long s = ++seq;
        for (String id : idJson) {
            bh.consume(WsMessages.data(id, s, WsMessages.json(Map.of("flows", List.of(RestRoutes.toJson(f))))));
        }
    }

    private Flow nextFlow() {
        Flow f = flows[next];
        next = (next + 1) & (flows.length - 1);
        return f;
    }
}
