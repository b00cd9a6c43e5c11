package dev.fluxtap.agent.bench;

import dev.fluxtap.agent.decode.DecodeOutcome;
import dev.fluxtap.agent.decode.FrameDecoder;
import dev.fluxtap.agent.decode.LinkTypes;
import dev.fluxtap.agent.summarize.FrameSummarizer;
import dev.fluxtap.agent.summarize.SummaryQueue;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Decoder throughput on Ethernet/IPv4/TCP frames as a 128-byte snaplen captures them (timestamps option, varied
 * addresses, ports and flags). Target: 10M frames/s per core. Run with agent/bench/jmh.sh.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx512m", "-XX:+UseParallelGC"})
public class DecoderBenchmark {

    static final int FRAMES = 1024;

    private final byte[][] frames = new byte[FRAMES][];
    private FrameDecoder decoder;
    private FrameSummarizer summarizer;
    private SummaryQueue queue;

    @Setup(Level.Trial)
    public void frames() {
        Random random = new Random(7);
        for (int i = 0; i < FRAMES; i++) {
            byte[] f = new byte[14 + 20 + 32 + 62];
            f[12] = 0x08;
            f[14] = 0x45;
            int total = 20 + 32 + random.nextInt(1400);
            f[16] = (byte) (total >>> 8);
            f[17] = (byte) total;
            f[20] = 0x40;
            f[22] = 64;
            f[23] = 6;
            for (int b = 26; b < 34; b++) {
                f[b] = (byte) random.nextInt();
            }
            for (int b = 34; b < 42; b++) {
                f[b] = (byte) random.nextInt();
            }
            f[46] = (byte) 0x80;
            f[47] = (byte) (random.nextBoolean() ? 0x10 : 0x18);
            f[48] = 0x01;
            f[54] = 1;
            f[55] = 1;
            f[56] = 8;
            f[57] = 10;
            frames[i] = f;
        }
        decoder = new FrameDecoder();
        if (decoder.decode(LinkTypes.ETHERNET, frames[0], frames[0].length) != DecodeOutcome.DECODED) {
            throw new IllegalStateException("benchmark frame does not decode: " + decoder.malformedReason());
        }
        queue = new SummaryQueue(1 << 20);
        summarizer = new FrameSummarizer(0, new FrameDecoder(), queue);
    }

    @Setup(Level.Iteration)
    public void emptyQueue() {
        queue.drainTo(new java.util.ArrayList<>(queue.size()), Integer.MAX_VALUE);
    }

    /** Decoding only: link, IPv4, TCP header and options into the reused flyweight. */
    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public void decode(Blackhole bh) {
        for (byte[] f : frames) {
            bh.consume(decoder.decode(LinkTypes.ETHERNET, f, f.length));
            bh.consume(decoder.packet().dstPort());
        }
    }

    /** What the capture thread does per frame: decode, build the immutable summary, offer it to the bounded queue. */
    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public void decodeSummarizeEnqueue(Blackhole bh) {
        for (byte[] f : frames) {
            summarizer.onFrame(1_700_000_000_000_000L, LinkTypes.ETHERNET, f, f.length, f.length);
        }
        if (queue.size() > (1 << 19)) {
            bh.consume(queue.drainTo(new java.util.ArrayList<>(queue.size()), Integer.MAX_VALUE));
        }
    }
}
