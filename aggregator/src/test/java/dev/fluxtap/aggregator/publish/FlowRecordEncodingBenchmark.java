package dev.fluxtap.aggregator.publish;

import dev.fluxtap.aggregator.flow.Counters;
import dev.fluxtap.aggregator.flow.Flow;
import dev.fluxtap.aggregator.flow.FlowEvent;
import dev.fluxtap.aggregator.flow.FlowObserver;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encoding one flow export (a START of a TCP flow seen by one agent, as every new flow sends): the hand-written
 * {@link FlowRecordEncoder} against Avro's generic writer on the generated classes (the encoder before it), in ns per
 * record. Run: bench/jmh.sh FlowRecordEncodingBenchmark -prof gc
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx512m", "-XX:+UseParallelGC"})
public class FlowRecordEncodingBenchmark {

    private static final long T0 = 1_700_000_000_000_000L;

    private final FlowEvent start = start();
    private final FlowRecordEncoder encoder = new FlowRecordEncoder();
    private final GenericFlowEncoding generic = new GenericFlowEncoding();

    private static FlowEvent start() {
        Counters fwd = new Counters(12, 1_024, 0x1a), rev = new Counters(10, 14_480, 0x1a);
        Flow flow = new Flow("0-18c5a3e2f1b-6f3a9c2d", 3, 4, 6, "10.1.2.3", 51_234, "10.9.8.7", 443, T0, T0 + 4_000, fwd, rev,
                "ESTABLISHED", 312L, 0, 0, 8, false, null,
                List.of(new FlowObserver("agent-host-17", fwd, rev, T0, T0 + 4_000, 0, 0)), List.of(), Flow.pairKey("10.1.2.3", "10.9.8.7"),
                Flow.portKey(6, 443));
        return new FlowEvent(FlowEvent.Kind.START, flow, fwd, rev, List.of(), 0, 0, null, T0 + 4_000, false);
    }

    @Benchmark
    public byte[] handWritten() {
        return encoder.encode(start);
    }

    @Benchmark
    public byte[] genericWriter() {
        return generic.encode(start);
    }
}
