package dev.fluxtap.aggregator.bench;

import dev.fluxtap.aggregator.config.FlowConfig;
import dev.fluxtap.aggregator.decode.SummaryBatch;
import dev.fluxtap.aggregator.flow.FlowTable;
import dev.fluxtap.aggregator.flow.FlowTableStats;
import dev.fluxtap.aggregator.flow.SocketIndex;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Flow-table update rate: batches of 1000 TCP summaries cycling over {@code flows} bidirectional flows (each batch a
 * request and a reply of 500 of them, client port 32768 + flow mod 28000, distinct client addresses), event time advancing
 * 0.2 µs per summary (so the table ticks once per 5M summaries, as at 5M summaries/s live), LIVE/START events built and
 * handed to a blackhole. Each invocation applies a time-shifted copy of one batch (the copy is part of the cost).
 * Run: see docs/BENCHMARKS.md.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgs = {"-Xmx2g", "-XX:+UseParallelGC"})
public class FlowTableBenchmark {

    static final int BATCH = 1000;

    @Param({"10000", "100000"})
    public int flows;

    private FlowTable table;
    private SummaryBatch[] templates;
    private long shift;
    private long sequence;

    @Setup
    public void setup(Blackhole bh) {
        table = new FlowTable(0, FlowConfig.defaults(), new SocketIndex(10), bh::consume);
        templates = new SummaryBatch[Math.max(1, flows * 2 / BATCH)];
        for (int k = 0; k < templates.length; k++) {
            templates[k] = batch(flows, k);
        }
        // Create every flow once so that the measurement sees the steady state.
        for (int i = 0; i < templates.length; i++) {
            apply();
        }
    }

    /** Template {@code k} carries a request and a reply of flows k*500 .. k*500+499; the templates cover every flow. */
    static SummaryBatch batch(int flows, int k) {
        SummaryBatch.Builder b = SummaryBatch.builder("bench-agent", "boot", 0, 0, BATCH);
        for (int i = 0; i < BATCH; i++) {
            int flow = (k * (BATCH / 2) + i / 2) % flows;
            boolean reply = (i & 1) == 1;
            long client = 0x0A00_0000L + flow, server = 0x0A10_0001L;
            int cport = 32768 + flow % 28000, sport = 443;
            long ts = i / 5;
            if (reply) {
                b.add(ts, 4, 6, 0, server, 0, client, sport, cport, 1500, 0x18, 1000L * i, 1460);
            } else {
                b.add(ts, 4, 6, 0, client, 0, server, cport, sport, 52, 0x10, 1000L * i, 0);
            }
        }
        return b.build();
    }

    private void apply() {
        shift += BATCH / 5;
        // Each round over the templates visits every flow once, with one 1460-byte reply: its sequence moves on by that.
        long round = sequence / templates.length;
        table.apply(templates[(int) (sequence % templates.length)].shifted(shift, sequence, round * 1460));
        sequence++;
    }

    /** Guards the measurement: every summary must have been applied, none dropped as late or for lack of room. */
    @TearDown
    public void check() {
        FlowTableStats stats = table.stats();
        if (stats.lateDropped() != 0 || stats.tableFullDrops() != 0 || table.activeFlows() != flows) {
            throw new IllegalStateException("benchmark traffic was not applied as intended: " + stats.lateDropped() + " late, "
                    + stats.tableFullDrops() + " table-full, " + table.activeFlows() + " open flows");
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void applyBatch() {
        apply();
    }
}
