package dev.fluxtap.aggregator;

import dev.fluxtap.aggregator.bench.PipelineBench;
import dev.fluxtap.aggregator.config.AggregatorConfig;
import dev.fluxtap.aggregator.decode.RecordDecoder;
import dev.fluxtap.aggregator.decode.SummaryBatch;
import dev.fluxtap.aggregator.flow.FlowTable;
import dev.fluxtap.aggregator.flow.FlowTableStats;
import dev.fluxtap.aggregator.observe.AggregatorMeters;
import dev.fluxtap.aggregator.testing.CountingFlowPublisher;
import dev.fluxtap.schemas.AvroDecodeException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
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

/**
 * The aggregator's in-process path on one core, without Kafka: the PacketBatch records of {@code bench/pipeline.sh}
 * (1000 TCP summaries each, {@code flows} flows over 6 partitions, event time at 1M summaries/s) decoded as the ingest
 * decodes them (into reused columns) and applied to a fresh {@link Pipeline} (flow tables, ticks, live views into the
 * store, top talkers and metrics, START exports to a counting publisher). Each invocation runs the whole stream once;
 * the score is ns per summary. Separates what the aggregator itself costs from Kafka's share in the pipeline bench.
 * Run: bench/jmh.sh IngestPathBenchmark.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgs = {"-Xmx4g", "-XX:+UseParallelGC"})
public class IngestPathBenchmark {

    static final int RECORDS = 3000;
    static final int PER_BATCH = 1000;
    static final int PARTITIONS = 6;

    @Param({"600", "60000"})
    public int flows;

    private final RecordDecoder decoder = new RecordDecoder();
    private final SummaryBatch.Builder columns = RecordDecoder.columns(PER_BATCH);
    private List<byte[]> records;
    private Pipeline pipeline;

    @Setup(Level.Trial)
    public void encode() {
        records = PipelineBench.packetRecords(RECORDS, PER_BATCH, flows, PARTITIONS, 1_000_000);
    }

    @Setup(Level.Invocation)
    public void freshPipeline() {
        pipeline = null;
        // Not timed: without it the previous invocation's flows and store are collected during some invocations
        // and not others (scores of 142 or 230 ns at 60 000 flows).
        System.gc();
        pipeline = new Pipeline(AggregatorConfig.defaults(), new AggregatorMeters(new SimpleMeterRegistry()), new CountingFlowPublisher(),
                Clock.systemUTC());
    }

    @Benchmark
    @OperationsPerInvocation(RECORDS * PER_BATCH)
    public void decodeAndApply() throws AvroDecodeException {
        for (int i = 0; i < records.size(); i++) {
            pipeline.onPackets(i % PARTITIONS, decoder.packets(ByteBuffer.wrap(records.get(i)), columns), false);
        }
    }

    /** Guards the measurement: every summary applied, none dropped, every flow open. */
    @TearDown(Level.Invocation)
    public void check() {
        long applied = 0, dropped = 0;
        for (FlowTable t : pipeline.tables()) {
            FlowTableStats s = t.stats();
            applied += s.summaries();
            dropped += s.lateDropped() + s.tableFullDrops();
        }
        if (applied != (long) RECORDS * PER_BATCH || dropped != 0 || pipeline.activeFlows() != flows) {
            throw new IllegalStateException("benchmark traffic was not applied as intended: " + applied + " applied, " + dropped
                    + " dropped, " + pipeline.activeFlows() + " open flows of " + flows);
        }
    }
}
