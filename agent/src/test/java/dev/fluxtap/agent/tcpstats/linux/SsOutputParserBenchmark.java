package dev.fluxtap.agent.tcpstats.linux;

import dev.fluxtap.agent.tcpstats.Fixtures;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Parsing a 10,000-socket ss table (the real iproute2 6.1 capture, repeated): the Java share of a poll. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class SsOutputParserBenchmark {

    private final SsOutputParser parser = new SsOutputParser();
    private String table;

    @Setup
    public void load() {
        String capture = Fixtures.text("ss/iproute2-6.1-oneline.txt");
        int lines = (int) capture.lines().count();
        table = capture.repeat(10_000 / lines);
    }

    @Benchmark
    public SsOutputParser.Result parse10kSockets() {
        return parser.parse(table);
    }
}
