package dev.fluxtap.aggregator.bench;

import dev.fluxtap.aggregator.config.TopKConfig;
import dev.fluxtap.aggregator.flow.Counters;
import dev.fluxtap.aggregator.flow.Flow;
import dev.fluxtap.aggregator.flow.FlowEvent;
import dev.fluxtap.aggregator.flow.FlowObserver;
import dev.fluxtap.aggregator.topk.Dimension;
import dev.fluxtap.aggregator.topk.TopTalkers;
import dev.fluxtap.aggregator.topk.TopTalkersResult;
import java.util.List;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Top talkers: {@code update} adds one flow's live delta (what each tick does once per changed flow: host, pair, port,
 * process and container keys of the flow's minute); {@code merge60m} answers the 60-minute top 10 by host after such an
 * update, which merges sixty one-minute partials (exact counts up to the bound, frequent-items sketches beyond it) into
 * one window; {@code query60mUnchanged} asks again without a change in between.
 * {@code flows} distinct flows (distinct clients, one server): 1 000 stay exact, 60 000 overflow into the sketches
 * (10 000 exact keys by default). Run: bench/jmh.sh TopKBenchmark.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx2g", "-XX:+UseParallelGC"})
public class TopKBenchmark {

    private static final long MINUTE = 60_000_000L;

    @Param({"1000", "60000"})
    public int flows;

    private TopTalkers topTalkers;
    private FlowEvent[] events;
    private int next;

    @Setup
    public void setup() {
        events = new FlowEvent[flows];
        for (int i = 0; i < flows; i++) {
            events[i] = event(i, 59 * MINUTE);
        }
        topTalkers = new TopTalkers(TopKConfig.defaults());
        // Sixty minutes of history, every flow in every minute: the windows of the query merge 60 partials.
        for (int minute = 0; minute < 60; minute++) {
            for (int i = 0; i < flows; i++) {
                topTalkers.accept(event(i, minute * MINUTE));
            }
        }
    }

    static FlowEvent event(int i, long ts) {
        String client = "10." + (20 + (i >> 16)) + "." + ((i >> 8) & 0xFF) + "." + (i & 0xFF);
        Counters fwd = new Counters(10, 520 + i % 7, 0x18), rev = new Counters(10, 15000 + i % 1000, 0x18);
        Flow f = new Flow("0-" + Integer.toHexString(i), 0, 4, 6, client, 32768 + i % 28000, "10.30.0.1", 443, ts, ts + 1, fwd, rev,
                "ESTABLISHED", null, 0, 0, 10, false, null, List.of(new FlowObserver("bench-agent", fwd, rev, ts, ts + 1, 0, 0)), List.of(),
                Flow.pairKey(client, "10.30.0.1"), Flow.portKey(6, 443));
        return new FlowEvent(FlowEvent.Kind.LIVE, f, fwd, rev, List.of(new FlowEvent.AgentDelta("bench-agent", 10, fwd.ipBytes(), 10,
                rev.ipBytes())), 10, 0, null, ts, false);
    }

    /** One tick's work per changed flow, in the newest minute. */
    @Benchmark
    public void update() {
        topTalkers.accept(events[next]);
        next = next + 1 == events.length ? 0 : next + 1;
    }

    /** A query over the longest window after a change: sixty one-minute partials merged, then the top 10. */
    @Benchmark
    public TopTalkersResult merge60m() {
        update();
        return topTalkers.query(Dimension.HOST, "60m", true, 10);
    }

    /** The same query again with no change in between (another subscriber, another REST call): the answer is reused. */
    @Benchmark
    public TopTalkersResult query60mUnchanged() {
        return topTalkers.query(Dimension.HOST, "60m", true, 10);
    }

    @TearDown
    public void check() {
        TopTalkersResult r = topTalkers.query(Dimension.HOST, "60m", true, 10);
        if (r.entries().size() != 10 || !r.entries().get(0).key().equals("10.30.0.1")) {
            throw new IllegalStateException("the server should top the hosts: " + r.entries());
        }
    }
}
