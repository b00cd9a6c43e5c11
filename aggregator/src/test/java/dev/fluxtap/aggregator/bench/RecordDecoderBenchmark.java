package dev.fluxtap.aggregator.bench;

import dev.fluxtap.aggregator.decode.RecordDecoder;
import dev.fluxtap.aggregator.decode.SummaryBatch;
import dev.fluxtap.aggregator.testing.AgentFixture;
import dev.fluxtap.schemas.AvroCodec;
import dev.fluxtap.schemas.FluxtapSchemas;
import dev.fluxtap.schemas.avro.PacketBatch;
import dev.fluxtap.schemas.avro.PacketSummary;
import dev.fluxtap.schemas.AvroDecodeException;
import java.nio.ByteBuffer;
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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Decoding of the packets topic in the aggregator: one record of 1000 TCP summaries (IPv4, varied addresses, ports,
 * flags and lengths), as PacketBatch rows or PacketColumns ({@code format}), into the column batch the flow tables
 * read. Scores are summaries/s. Run: bench/jmh.sh RecordDecoderBenchmark.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx1g", "-XX:+UseParallelGC"})
public class RecordDecoderBenchmark {

    static final int SUMMARIES = 1000;

    private final RecordDecoder decoder = new RecordDecoder();
    private final SummaryBatch.Builder columns = RecordDecoder.columns(SUMMARIES);
    @Param({"rows", "columns"})
    public String format;

    private byte[] record;

    @Setup
    public void setup() {
        List<PacketSummary> summaries = new ArrayList<>();
        long ts = 1_700_000_000_000_000L;
        for (int i = 0; i < SUMMARIES; i++) {
            byte[] client = {10, 20, (byte) (i >> 8), (byte) i};
            byte[] server = {10, 30, 0, (byte) (1 + i % 4)};
            boolean reply = i % 2 == 1;
            summaries.add(PacketSummary.newBuilder().setTsMicros(ts + i * 7L).setIpVersion(4).setProtocol(6)
                    .setSrcIp(ByteBuffer.wrap(reply ? server : client)).setDstIp(ByteBuffer.wrap(reply ? client : server))
                    .setSrcPort(reply ? 443 : 32768 + i).setDstPort(reply ? 32768 + i : 443).setIpBytes(reply ? 1500 : 52 + i % 40)
                    .setTcpFlags(reply ? 0x18 : 0x10).setTcpSeq(1000L * i).setPayloadBytes(reply ? 1448 : 0).build());
        }
        PacketBatch batch = PacketBatch.newBuilder().setAgentId("bench-agent").setBootId("boot").setPartition(0).setSequence(1)
                .setCreatedMicros(ts).setPackets(summaries).build();
        record = format.equals("rows") ? AvroCodec.of(FluxtapSchemas.PACKET_BATCH).encode(batch) : AgentFixture.encodeColumns(batch);
    }

    @Benchmark
    @OperationsPerInvocation(SUMMARIES)
    public SummaryBatch decodeRecord() throws AvroDecodeException {
        return decoder.packets(record);
    }

    /** As the ingest decodes: from the consumer's buffer into columns reused from one record to the next. */
    @Benchmark
    @OperationsPerInvocation(SUMMARIES)
    public SummaryBatch decodeIntoReusedColumns() throws AvroDecodeException {
        return decoder.packets(ByteBuffer.wrap(record), columns);
    }
}
