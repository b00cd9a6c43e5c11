package dev.fluxtap.aggregator.decode;

import dev.fluxtap.aggregator.bench.BenchSupport;
import dev.fluxtap.aggregator.bench.PipelineBench;
import dev.fluxtap.aggregator.testing.AgentFixture;
import dev.fluxtap.schemas.AvroBinaryWriter;
import dev.fluxtap.schemas.AvroCodec;
import dev.fluxtap.schemas.AvroDecodeException;
import dev.fluxtap.schemas.FluxtapSchemas;
import dev.fluxtap.schemas.avro.PacketBatch;
import dev.fluxtap.schemas.avro.PacketSummary;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;

/**
 * What the layout of a packet batch changes, measured on the records of {@code bench/pipeline.sh}: PacketBatch rows and
 * PacketColumns (fixed-width little-endian columns, what agents write by default), both read by {@link RecordDecoder},
 * and typed columns (Avro arrays of varints, one per field: the layout not chosen, this probe's own, IPv4 only). For
 * each: bytes per 1000 summaries before and after LZ4 (Kafka's default lz4 level uses lz4-java's fast compressor), and
 * the time to decode a record into the aggregator's columns. See bench/columnar.sh and docs/BENCHMARKS.md. It sits in
 * the decode package so that the typed columns are read with the aggregator's own {@link AvroBinaryReader}.
 */
public final class ColumnarBatchProbe {

    private static final VarHandle INT_BIG_ENDIAN = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    /** PacketSummary.avsc's fields, in its order. */
    private static final int FIELDS = 17;
    private static final int TS = 0, IF_INDEX = 1, VERSION = 2, PROTOCOL = 3, SRC = 4, DST = 5, SRC_PORT = 6, DST_PORT = 7,
            IP_BYTES = 8, TTL = 9, FLAGS = 10, SEQ = 11, ACK = 12, WINDOW = 13, PAYLOAD = 14, FRAGMENT = 15, VLAN = 16;
    private static final int RECORDS = 600;
    private static final int PER_BATCH = 1000;
    private static final int WARMUP_ROUNDS = 4, ROUNDS = 6;
    /** Where the decoded values go, so that the JIT keeps the decoding. */
    static volatile long sink;

    public static void main(String[] args) throws AvroDecodeException {
        int[] flowCounts;
        try {
            flowCounts = args.length == 0 ? new int[] {600, 6000, 60000}
                    : BenchSupport.wholeNumbers(args, 1, Integer.MAX_VALUE, "columnar: give flow counts of at least 1, e.g. 600 6000 60000");
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        System.out.println("| flows | bytes per 1000 summaries: PacketBatch rows · typed columns · PacketColumns | after lz4 | decode, ns/summary: "
                + "rows · typed columns · PacketColumns |");
        System.out.println("|---|---|---|---|");
        for (int flows : flowCounts) {
            System.out.println(measure(flows));
        }
    }


    private static String measure(int flows) throws AvroDecodeException {
        List<byte[]> avro = PipelineBench.packetRecords(RECORDS, PER_BATCH, flows, 6, 1_000_000);
        AvroCodec<PacketBatch> codec = AvroCodec.of(FluxtapSchemas.PACKET_BATCH);
        List<byte[]> columns = new ArrayList<>(avro.size()), typed = new ArrayList<>(avro.size());
        for (byte[] r : avro) {
            PacketBatch batch = codec.decode(r);
            columns.add(AgentFixture.encodeColumns(batch));
            typed.add(encodeTyped(batch));
        }
        LZ4Compressor lz4 = LZ4Factory.fastestInstance().fastCompressor();
        long avroBytes = 0, avroLz4 = 0, columnBytes = 0, columnLz4 = 0, typedBytes = 0, typedLz4 = 0;
        for (int i = 0; i < avro.size(); i++) {
            avroBytes += avro.get(i).length;
            avroLz4 += lz4.compress(avro.get(i)).length;
            columnBytes += columns.get(i).length;
            columnLz4 += lz4.compress(columns.get(i)).length;
            typedBytes += typed.get(i).length;
            typedLz4 += lz4.compress(typed.get(i)).length;
        }
        RecordDecoder decoder = new RecordDecoder();
        SummaryBatch.Builder fromAvro = RecordDecoder.columns(PER_BATCH), fromColumns = RecordDecoder.columns(PER_BATCH);
        SummaryBatch.Builder fromTyped = RecordDecoder.columns(PER_BATCH);
        TypedColumns typedReader = new TypedColumns(PER_BATCH);
        for (int i = 0; i < avro.size(); i++) {
            SummaryBatch expected = decoder.packets(ByteBuffer.wrap(avro.get(i)), fromAvro);
            checkSame(i, expected, decoder.packets(ByteBuffer.wrap(columns.get(i)), fromColumns));
            checkSame(i, expected, typedReader.decode(typed.get(i), fromTyped));
        }
        // The decoders in turn within each round, so that a slow moment of the host falls on all of them.
        double[] avroNs = new double[ROUNDS], columnNs = new double[ROUNDS], typedNs = new double[ROUNDS];
        long last = 0;
        for (int round = -WARMUP_ROUNDS; round < ROUNDS; round++) {
            long t0 = System.nanoTime();
            for (byte[] r : avro) {
                last += decoder.packets(ByteBuffer.wrap(r), fromAvro).ts(PER_BATCH - 1);
            }
            long t1 = System.nanoTime();
            for (byte[] r : columns) {
                last += decoder.packets(ByteBuffer.wrap(r), fromColumns).ts(PER_BATCH - 1);
            }
            long t2 = System.nanoTime();
            for (byte[] r : typed) {
                last += typedReader.decode(r, fromTyped).ts(PER_BATCH - 1);
            }
            long t3 = System.nanoTime();
            if (round >= 0) {
                avroNs[round] = (t1 - t0) / (double) (RECORDS * PER_BATCH);
                columnNs[round] = (t2 - t1) / (double) (RECORDS * PER_BATCH);
                typedNs[round] = (t3 - t2) / (double) (RECORDS * PER_BATCH);
            }
        }
        sink += last;
        return String.format(Locale.ROOT, "| %d | %d · %d · %d | %d · %d · %d | %s · %s · %s |", flows, avroBytes / RECORDS,
                typedBytes / RECORDS, columnBytes / RECORDS, avroLz4 / RECORDS, typedLz4 / RECORDS, columnLz4 / RECORDS, range(avroNs),
                range(typedNs), range(columnNs));
    }

    private static String range(double[] ns) {
        double min = Double.MAX_VALUE, max = 0;
        for (double v : ns) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        return String.format(Locale.ROOT, "%.1f–%.1f", min, max);
    }

    /**
     * The batch as Avro would write a record of arrays, one per PacketSummary field: the numbers as zig-zag varints, the
     * addresses as {@code fixed(4)} items. Each array is its item count, the items, and the 0 that ends it. Avro's generic
     * readers would still see typed fields.
     */
    static byte[] encodeTyped(PacketBatch batch) {
        List<PacketSummary> summaries = batch.getPackets();
        int n = summaries.size();
        AvroBinaryWriter out = new AvroBinaryWriter(64 * n);
        for (int field = 0; field < FIELDS; field++) {
            out.ensure(2 * AvroBinaryWriter.MAX_LONG_BYTES + n * AvroBinaryWriter.MAX_LONG_BYTES);
            out.writeLong(n);
            for (PacketSummary p : summaries) {
                switch (field) {
                    case TS -> out.writeLong(p.getTsMicros());
                    case IF_INDEX -> out.writeInt(p.getIfIndex());
                    case VERSION -> out.writeInt(p.getIpVersion());
                    case PROTOCOL -> out.writeInt(p.getProtocol());
                    case SRC -> out.writeBigEndian(p.getSrcIp().getInt(p.getSrcIp().position()), 4);
                    case DST -> out.writeBigEndian(p.getDstIp().getInt(p.getDstIp().position()), 4);
                    case SRC_PORT -> out.writeInt(p.getSrcPort());
                    case DST_PORT -> out.writeInt(p.getDstPort());
                    case IP_BYTES -> out.writeInt(p.getIpBytes());
                    case TTL -> out.writeInt(p.getTtl());
                    case FLAGS -> out.writeInt(p.getTcpFlags());
                    case SEQ -> out.writeLong(p.getTcpSeq());
                    case ACK -> out.writeLong(p.getTcpAck());
                    case WINDOW -> out.writeInt(p.getTcpWindow());
                    case PAYLOAD -> out.writeInt(p.getPayloadBytes());
                    case FRAGMENT -> out.writeInt(p.getFragment());
                    default -> out.writeInt(p.getVlanId());
                }
            }
            out.writeLong(0);
        }
        return out.toByteArray();
    }

    /**
     * Reads {@link #encodeTyped}'s arrays column by column with the aggregator's {@link AvroBinaryReader} (its limits, and
     * its 8-byte path for timestamps), each column in a loop of its own, then hands the rows to the builder.
     */
    static final class TypedColumns {
        private final long[] ts, src, dst, seq;
        private final int[] version, protocol, srcPort, dstPort, ipBytes, flags, payload;

        TypedColumns(int capacity) {
            ts = new long[capacity];
            src = new long[capacity];
            dst = new long[capacity];
            seq = new long[capacity];
            version = new int[capacity];
            protocol = new int[capacity];
            srcPort = new int[capacity];
            dstPort = new int[capacity];
            ipBytes = new int[capacity];
            flags = new int[capacity];
            payload = new int[capacity];
        }

        SummaryBatch decode(byte[] record, SummaryBatch.Builder into) throws AvroDecodeException {
            AvroBinaryReader r = new AvroBinaryReader(record, 0, record.length, 0, "typed columns");
            int n = 0;
            for (int field = 0; field < FIELDS; field++) {
                n = r.readBlockCount(0, 1);
                if (n > ts.length) {
                    throw new IllegalArgumentException("columnar probe: " + n + " items, room for " + ts.length);
                }
                switch (field) {
                    case TS -> longs(r, ts, n);
                    case VERSION -> ints(r, version, n);
                    case PROTOCOL -> ints(r, protocol, n);
                    case SRC -> addresses(r, record, src, n);
                    case DST -> addresses(r, record, dst, n);
                    case SRC_PORT -> ints(r, srcPort, n);
                    case DST_PORT -> ints(r, dstPort, n);
                    case IP_BYTES -> ints(r, ipBytes, n);
                    case FLAGS -> ints(r, flags, n);
                    case SEQ -> longs(r, seq, n);
                    case PAYLOAD -> ints(r, payload, n);
                    case ACK -> {
                        for (int i = 0; i < n; i++) {
                            r.skipLong();
                        }
                    }
                    default -> {
                        for (int i = 0; i < n; i++) {
                            r.skipInt();
                        }
                    }
                }
                r.readBlockCount(n, 1); // the array's end
            }
            SummaryBatch.Builder b = into.restart("probe", "probe", 0, 0, n);
            for (int i = 0; i < n; i++) {
                b.add(ts[i], version[i], protocol[i], 0, src[i], 0, dst[i], srcPort[i], dstPort[i], ipBytes[i], flags[i], seq[i], payload[i]);
            }
            return b.build();
        }

        private static void longs(AvroBinaryReader r, long[] to, int n) throws AvroDecodeException {
            for (int i = 0; i < n; i++) {
                to[i] = r.readLong();
            }
        }

        private static void ints(AvroBinaryReader r, int[] to, int n) throws AvroDecodeException {
            for (int i = 0; i < n; i++) {
                to[i] = r.readInt();
            }
        }

        /** {@code fixed(4)} items: IPv4 addresses in network order, as unsigned longs. */
        private static void addresses(AvroBinaryReader r, byte[] record, long[] to, int n) {
            for (int i = 0; i < n; i++) {
                to[i] = (int) INT_BIG_ENDIAN.get(record, r.skip(4)) & 0xFFFF_FFFFL;
            }
        }
    }

    /** Guards the timing: the columns must give back every value the Avro decoder gives. */
    private static void checkSame(int record, SummaryBatch a, SummaryBatch c) {
        if (a.size() != c.size()) {
            throw new IllegalStateException("columnar probe: record " + record + " has " + a.size() + " summaries in Avro, " + c.size() + " in columns");
        }
        for (int i = 0; i < a.size(); i++) {
            if (a.ts(i) != c.ts(i) || a.ipVersion(i) != c.ipVersion(i) || a.protocol(i) != c.protocol(i) || a.srcHi(i) != c.srcHi(i)
                    || a.srcLo(i) != c.srcLo(i) || a.dstHi(i) != c.dstHi(i) || a.dstLo(i) != c.dstLo(i) || a.srcPort(i) != c.srcPort(i)
                    || a.dstPort(i) != c.dstPort(i) || a.ipBytes(i) != c.ipBytes(i) || a.tcpFlags(i) != c.tcpFlags(i)
                    || a.tcpSeq(i) != c.tcpSeq(i) || a.payloadBytes(i) != c.payloadBytes(i)) {
                throw new IllegalStateException("columnar probe: record " + record + ", summary " + i + " differs between Avro and columns");
            }
        }
    }
}
