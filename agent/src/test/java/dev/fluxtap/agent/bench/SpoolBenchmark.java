package dev.fluxtap.agent.bench;

import dev.fluxtap.agent.spool.DiskSpool;
import dev.fluxtap.agent.spool.SpoolEntry;
import dev.fluxtap.agent.spool.SpoolRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * Spool throughput: batches of the size the agent writes (a 1000-summary batch encodes to about 30 KB; 4 KB is a
 * lightly loaded partition), appended, then read back and acknowledged, so the spool stays small and every segment is
 * rolled and deleted as in an outage. The spool lives in {@code java.io.tmpdir} (page cache: the agent does not fsync
 * appends). Bytes per second = ops/s × {@code valueBytes}. Run with {@code agent/bench/jmh.sh SpoolBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx512m", "-XX:+UseParallelGC"})
public class SpoolBenchmark {

    static final int BATCHES = 64;

    @Param({"4096", "32768"})
    int valueBytes;

    private Path dir;
    private DiskSpool spool;
    private SpoolRecord[] records;

    @Setup(Level.Trial)
    public void open() throws IOException {
        dir = Files.createTempDirectory("fluxtap-spool-bench");
        spool = DiskSpool.open(dir, 256L * 1024 * 1024, Clock.systemUTC());
        Random random = new Random(7);
        records = new SpoolRecord[BATCHES];
        for (int i = 0; i < BATCHES; i++) {
            byte[] value = new byte[valueBytes];
            random.nextBytes(value);
            records[i] = new SpoolRecord("fluxtap.packets.v1", i % 6, new byte[] {0, 0, 0, (byte) (i % 6)}, value, "bench-boot", i, 1000);
        }
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        spool.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    /** Appends {@value #BATCHES} batches, reads them back and acknowledges them (outage then replay). */
    @Benchmark
    @OperationsPerInvocation(BATCHES)
    public void appendReadAck(Blackhole bh) throws IOException {
        for (SpoolRecord r : records) {
            spool.append(r);
        }
        drain(bh);
    }

    private void drain(Blackhole bh) throws IOException {
        List<SpoolEntry> read;
        while (!(read = spool.read(512, 4L * 1024 * 1024)).isEmpty()) {
            bh.consume(read);
            spool.ack(read.get(read.size() - 1));
        }
    }
}
