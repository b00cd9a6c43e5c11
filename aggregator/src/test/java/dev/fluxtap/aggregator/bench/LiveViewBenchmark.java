package dev.fluxtap.aggregator.bench;

import dev.fluxtap.aggregator.config.AggregatorConfig;
import dev.fluxtap.aggregator.decode.RecordDecoder;
import dev.fluxtap.aggregator.flow.FlowEvent;
import dev.fluxtap.aggregator.flow.FlowTable;
import dev.fluxtap.aggregator.flow.SocketIndex;
import dev.fluxtap.aggregator.metrics.TrafficMetrics;
import dev.fluxtap.aggregator.observe.AggregatorMeters;
import dev.fluxtap.aggregator.store.FlowStore;
import dev.fluxtap.aggregator.topk.TopTalkers;
import dev.fluxtap.schemas.AvroDecodeException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
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

/**
 * What one live view costs the consumers a flow table hands it to (as Pipeline does): the store, the top
 * talkers and the traffic metrics, each alone and all three ({@code all}), in ns per view. Steady state of one packets
 * partition with {@code flows} open flows (10 000 is a partition of the pipeline bench at 60 000 flows): the views come
 * from a real flow table fed with {@link PipelineBench#packetRecords} traffic, so they carry what the table builds once
 * per flow. Run: bench/jmh.sh LiveViewBenchmark -prof gc.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx2g", "-XX:+UseParallelGC"})
public class LiveViewBenchmark {

    private static final int CYCLES = 4;
    private static final int PER_BATCH = 1000;

    @Param({"1000", "10000"})
    public int flows;

    private FlowEvent[] views;
    private int next;
    private FlowStore store;
    private TopTalkers topTalkers;
    private TrafficMetrics metrics;

    @Setup
    public void setup() throws AvroDecodeException {
        List<FlowEvent> live = new ArrayList<>();
        FlowTable table = new FlowTable(0, AggregatorConfig.defaults().flows(), new SocketIndex(1000), events -> {
            for (FlowEvent e : events) {
                if (e.kind() == FlowEvent.Kind.LIVE) {
                    live.add(e);
                }
            }
        });
        // Each flow is a request and a reply: one cycle over the flows is 2 * flows summaries; a refresh after each
        // cycle gives every flow one view per cycle (besides the ones of the table's own ticks).
        int batchesPerCycle = 2 * flows / PER_BATCH;
        RecordDecoder decoder = new RecordDecoder();
        List<byte[]> records = PipelineBench.packetRecords(CYCLES * batchesPerCycle, PER_BATCH, flows, 1, 1_000_000);
        for (int i = 0; i < records.size(); i++) {
            table.apply(decoder.packets(records.get(i)));
            if ((i + 1) % batchesPerCycle == 0) {
                table.refresh();
            }
        }
        views = live.toArray(FlowEvent[]::new);
        AggregatorConfig config = AggregatorConfig.defaults();
        store = new FlowStore(config.store(), new AggregatorMeters(new SimpleMeterRegistry()));
        topTalkers = new TopTalkers(config.topk());
        metrics = new TrafficMetrics(config.store(), config.topk().maxHosts(), table::activeFlows, agent -> Set.of());
        for (FlowEvent e : views) {
            all(e);
        }
    }

    private FlowEvent nextView() {
        FlowEvent e = views[next];
        next = next + 1 == views.length ? 0 : next + 1;
        return e;
    }

    private void all(FlowEvent e) {
        store.accept(e);
        topTalkers.accept(e);
        metrics.accept(e);
    }

    @Benchmark
    public void all() {
        all(nextView());
    }

    @Benchmark
    public void store() {
        store.accept(nextView());
    }

    @Benchmark
    public void topTalkers() {
        topTalkers.accept(nextView());
    }

    @Benchmark
    public void metrics() {
        metrics.accept(nextView());
    }
}
