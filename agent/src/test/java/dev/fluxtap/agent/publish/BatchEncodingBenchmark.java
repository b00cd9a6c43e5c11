package dev.fluxtap.agent.publish;

import dev.fluxtap.agent.summarize.PacketSummary;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encoding a 1000-summary batch, per summary, in each wire format: {@link ColumnBatchEncoder} ({@code columns}) and the
 * hand-written {@link BatchEncoder} ({@code handWritten}, rows), against Avro's generic writer on the generated classes
 * (the rows encoder before it). Run: agent/bench/jmh.sh BatchEncodingBenchmark
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx512m", "-XX:+UseParallelGC"})
public class BatchEncodingBenchmark {

    static final int SUMMARIES = 1000;

    private SummaryBatch batch;
    private final BatchEncoder encoder = new BatchEncoder();
    private final ColumnBatchEncoder columnEncoder = new ColumnBatchEncoder();
    private final GenericBatchEncoding generic = new GenericBatchEncoding();

    @Setup
    public void batch() {
        List<PacketSummary> summaries = new ArrayList<>();
        for (int i = 0; i < SUMMARIES; i++) {
            summaries.add(new PacketSummary(1_700_000_000_000_000L + i, 0, 4, 6, 0, 0x0A000001L + i, 0, 0x0A000002L, 40000 + i, 443, 1500, 64,
                    0x10, 1_000_000L + i, 2_000_000L, 512, 1448, 0, 0));
        }
        batch = new SummaryBatch(new BatchIdentity("agent", "boot", List.of("eth0")), 0, 0, 1_700_000_000_000_000L, summaries);
    }

    @Benchmark
    @OperationsPerInvocation(SUMMARIES)
    public byte[] handWritten() {
        return encoder.encode(batch);
    }

    @Benchmark
    @OperationsPerInvocation(SUMMARIES)
    public byte[] columns() {
        return columnEncoder.encode(batch);
    }

    @Benchmark
    @OperationsPerInvocation(SUMMARIES)
    public byte[] genericWriter() {
        return generic.encode(batch);
    }
}
