package dev.fluxtap.aggregator.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fluxtap.aggregator.testing.AgentFixture;
import dev.fluxtap.aggregator.testing.PcapReader;
import dev.fluxtap.schemas.AvroCodec;
import dev.fluxtap.schemas.AvroDecodeException;
import dev.fluxtap.schemas.FluxtapSchemas;
import dev.fluxtap.schemas.avro.PacketBatch;
import dev.fluxtap.schemas.avro.PacketSummary;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

/**
 * The hand-written reader of current-schema PacketBatch records ({@link RecordDecoder#packets}) against the generic
 * codec path ({@link RecordDecoder#packetsResolved}): same batch for every record the codec accepts, an
 * {@link AvroDecodeException} (corrupt body) for every record it refuses, and never another exception or an allocation
 * sized by a hostile length.
 */
class DirectPacketDecodingTest {

    private static final int HEADER = 10;

    private final RecordDecoder decoder = new RecordDecoder();
    /** Reused across every decode of a test, as the ingest does, and small, so that batches grow it. */
    private final SummaryBatch.Builder columns = RecordDecoder.columns(4);
    private final AvroCodec<PacketBatch> codec = AvroCodec.of(FluxtapSchemas.PACKET_BATCH);
    private final byte[] header = Arrays.copyOf(codec.encode(batch(List.of(), List.of())), HEADER);

    @Test
    void theReaderFollowsTheSchemaFieldOrderAndTypes() {
        // If this fails, the schema changed: update RecordDecoder's direct reader to the new field order and types.
        assertThat(fields(PacketBatch.getClassSchema())).isEqualTo(
                "agentId:STRING bootId:STRING partition:INT sequence:LONG createdMicros:LONG interfaces:ARRAY<STRING> packets:ARRAY<RECORD>");
        assertThat(fields(PacketSummary.getClassSchema())).isEqualTo("tsMicros:LONG ifIndex:INT ipVersion:INT protocol:INT srcIp:BYTES "
                + "dstIp:BYTES srcPort:INT dstPort:INT ipBytes:INT ttl:INT tcpFlags:INT tcpSeq:LONG tcpAck:LONG tcpWindow:INT "
                + "payloadBytes:INT fragment:INT vlanId:INT");
    }

    @Test
    void randomBatchesDecodeExactlyAsTheCodecDecodesThem() throws Exception {
        Random random = new Random(20261206L);
        for (int n = 0; n < 300; n++) {
            PacketBatch batch = randomBatch(random);
            byte[] single = codec.encode(batch);
            SummaryBatch direct = decoder.packets(single);
            assertThat(text(direct)).as("batch %d", n).isEqualTo(text(decoder.packetsResolved(single)));
            assertThat(direct.size()).isEqualTo(batch.getPackets().size());
            byte[] blocks = inBlocks(batch, random);
            assertThat(text(decoder.packets(blocks))).as("batch %d in blocks", n).isEqualTo(text(direct));
            assertSameFromEveryBuffer(decoder, columns, single, text(direct), "batch " + n);
        }
    }

    /**
     * The record decodes to {@code expected} also as the consumer may hand it over: into reused columns, from a direct
     * buffer, and as a slice of a larger array (whose position decoding leaves as it was).
     */
    static void assertSameFromEveryBuffer(RecordDecoder decoder, SummaryBatch.Builder columns, byte[] record, String expected, String what)
            throws AvroDecodeException {
        assertThat(text(decoder.packets(ByteBuffer.wrap(record), columns))).as("%s in reused columns", what).isEqualTo(expected);
        ByteBuffer offHeap = ByteBuffer.allocateDirect(record.length).put(record).flip();
        assertThat(text(decoder.packets(offHeap, columns))).as("%s from a direct buffer", what).isEqualTo(expected);
        ByteBuffer slice = embedded(record);
        assertThat(text(decoder.packets(slice, columns))).as("%s in a larger buffer", what).isEqualTo(expected);
        assertThat(slice.position()).as("position of the buffer after decoding").isEqualTo(4);
    }

    @Test
    void trailingBytesAfterTheRecordAreIgnoredAsBefore() throws Exception {
        byte[] bytes = realRecord();
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 3);
        longer[bytes.length] = 0x7f;
        assertThat(text(decoder.packets(longer))).isEqualTo(text(decoder.packetsResolved(longer))).isEqualTo(text(decoder.packets(bytes)));
    }

    @Test
    void everyTruncationOfARealRecordIsCorrupt() throws Exception {
        byte[] bytes = realRecord();
        assertThat(decoder.packets(bytes).size()).isEqualTo(200);
        for (int length = HEADER; length < bytes.length; length++) {
            byte[] cut = Arrays.copyOf(bytes, length);
            assertThatThrownBy(() -> decoder.packets(cut)).as("%d of %d bytes", length, bytes.length)
                    .isInstanceOfSatisfying(AvroDecodeException.class,
                            e -> assertThat(e.reason()).isEqualTo(AvroDecodeException.Reason.CORRUPT_BODY));
        }
    }

    @Test
    void randomBitFlipsDecodeAsTheCodecDoesOrAreCorrupt() throws Exception {
        Random random = new Random(42L);
        List<byte[]> records = List.of(realRecord(), codec.encode(randomBatch(random)), inBlocks(randomBatch(random), random));
        int decoded = 0;
        for (int n = 0; n < 6000; n++) {
            byte[] bytes = records.get(n % records.size()).clone();
            for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                int bit = HEADER * 8 + random.nextInt((bytes.length - HEADER) * 8);
                bytes[bit / 8] ^= (byte) (1 << (bit % 8));
            }
            decoded += sameOutcome(bytes) ? 1 : 0;
        }
        // Both kinds of outcome occur, so the comparison tested something on each side.
        assertThat(decoded).isBetween(100, 5900);
    }

    @Test
    void hostileLengthsAndCountsAreCorruptWithoutAllocatingThem() throws Exception {
        for (long length : new long[] {-1, Integer.MAX_VALUE, 1L << 40, Long.MAX_VALUE, Long.MIN_VALUE}) {
            assertCorrupt(body(e -> e.writeLong(length)), "agentId length " + length);
            assertCorrupt(body(e -> {
                e.writeString("a");
                e.writeString("b");
                e.writeInt(0);
                e.writeLong(1);
                e.writeLong(2);
                e.writeLong(1);
                e.writeLong(length);
            }), "interface name length " + length);
            assertCorrupt(summaryBody(e -> {
                e.writeLong(1);
                e.writeInt(0);
                e.writeInt(4);
                e.writeInt(6);
                e.writeLong(length);
            }), "address length " + length);
        }
        for (long count : new long[] {Integer.MAX_VALUE, 1L << 40, Long.MAX_VALUE, -(1L << 40), Long.MIN_VALUE, -Long.MAX_VALUE}) {
            assertCorrupt(body(e -> {
                header(e);
                e.writeLong(count);
                e.writeLong(8); // a byte size, read when the count is negative
            }), "interface count " + count);
            assertCorrupt(body(e -> {
                header(e);
                e.writeLong(0);
                e.writeLong(count);
                e.writeLong(8);
                e.writeLong(0);
            }), "packet count " + count);
        }
        assertCorrupt(body(e -> {
            header(e);
            e.writeLong(0);
            e.writeLong(-1);
            e.writeLong(-5); // a negative byte size
        }), "negative block byte size");
    }

    @Test
    void overLongVarintsAreCorruptAndLongestValidOnesDecode() throws Exception {
        byte[] agent = {2, 'a', 2, 'b'};
        // partition: 6 bytes for an int; sequence: 11 bytes for a long.
        assertCorrupt(concat(agent, new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0}, new byte[] {2, 2, 0, 0}),
                "6-byte int");
        byte[] elevenBytes = new byte[11];
        Arrays.fill(elevenBytes, 0, 10, (byte) 0xff);
        assertCorrupt(concat(agent, new byte[] {0}, elevenBytes, new byte[] {2, 0, 0}), "11-byte long");
        // The longest encodings Avro accepts, with bits beyond 32/64 in the last byte (dropped by every Avro reader).
        byte[] fiveBytes = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f};
        byte[] tenBytes = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff,
                (byte) 0xff, 0x7f};
        byte[] valid = concat(header, agent, fiveBytes, tenBytes, tenBytes, new byte[] {0, 0});
        SummaryBatch b = decoder.packets(valid);
        assertThat(text(b)).isEqualTo(text(decoder.packetsResolved(valid)));
        assertThat(b.partition()).isEqualTo(Integer.MIN_VALUE);
        assertThat(b.sequence()).isEqualTo(Long.MIN_VALUE);
        // Fields the aggregator does not use are skipped, not decoded, within the same limits: ifIndex (an int), tcpAck (a long).
        byte[] one = {0};
        byte[] sixBytes = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0};
        assertCorrupt(oneSummary(agent, sixBytes, one), "6-byte ifIndex");
        assertCorrupt(oneSummary(agent, one, elevenBytes), "11-byte tcpAck");
        byte[] longestSkipped = concat(header, oneSummary(agent, fiveBytes, tenBytes));
        assertThat(text(decoder.packets(longestSkipped))).isEqualTo(text(decoder.packetsResolved(longestSkipped)));
    }

    /** A batch body of one IPv4 summary whose ifIndex and tcpAck are the given varints, every other number 0. */
    private static byte[] oneSummary(byte[] agentAndBoot, byte[] ifIndex, byte[] tcpAck) {
        byte[] batchFields = {0, 0, 0, 0, 2}; // partition, sequence, createdMicros, no interfaces, a block of 1 summary
        byte[] beforeAck = {8, 12, 8, 10, 0, 0, 1, 8, 10, 0, 0, 2, 0, 0, 0, 0, 0, 0}; // v4, TCP, two addresses, ports .. tcpSeq
        byte[] afterAck = {0, 0, 0, 0, 0}; // tcpWindow, payloadBytes, fragment, vlanId; the end of the array
        return concat(agentAndBoot, batchFields, new byte[] {0}, ifIndex, beforeAck, tcpAck, afterAck);
    }

    /**
     * Asserts that the direct reader and the codec agree: the same batch, or both a corrupt body. True if decoded. The
     * direct reader also reads the record as the consumer hands it over, a slice of a larger buffer (see
     * {@link #embedded}), with the same outcome.
     */
    private boolean sameOutcome(byte[] bytes) {
        String expected;
        try {
            expected = text(decoder.packetsResolved(bytes));
        } catch (AvroDecodeException e) {
            assertThat(e.reason()).isEqualTo(AvroDecodeException.Reason.CORRUPT_BODY);
            for (ThrowingCallable decode : List.<ThrowingCallable>of(() -> decoder.packets(bytes), () -> decoder.packets(embedded(bytes), columns))) {
                assertThatThrownBy(decode).as("codec refused %s: %s", hex(bytes), e.getMessage())
                        .isInstanceOfSatisfying(AvroDecodeException.class,
                                d -> assertThat(d.reason()).isEqualTo(AvroDecodeException.Reason.CORRUPT_BODY));
            }
            return false;
        }
        try {
            assertThat(text(decoder.packets(bytes))).as("codec accepted %s", hex(bytes)).isEqualTo(expected);
            ByteBuffer slice = embedded(bytes);
            assertThat(text(decoder.packets(slice, columns))).as("codec accepted %s, read in a larger buffer", hex(bytes)).isEqualTo(expected);
            assertThat(slice.position()).as("position of the buffer after decoding").isEqualTo(4);
        } catch (AvroDecodeException e) {
            throw new AssertionError("the codec decodes " + hex(bytes) + " but the direct reader refuses it: " + e.getMessage(), e);
        }
        return true;
    }

    /**
     * The record in a larger array, as a buffer whose array offset and position are both not 0, between zero bytes: a
     * reader that reads past the record's end finds valid values there (a 0 ends a varint, an array, a record) and
     * decodes a truncated record that the codec refuses.
     */
    static ByteBuffer embedded(byte[] bytes) {
        byte[] around = new byte[3 + 4 + bytes.length + 9];
        System.arraycopy(bytes, 0, around, 7, bytes.length);
        return ByteBuffer.wrap(around).position(3).slice().position(4).limit(4 + bytes.length);
    }

    private void assertCorrupt(byte[] body, String what) {
        byte[] bytes = concat(header, body);
        for (ThrowingCallable decode : List.<ThrowingCallable>of(() -> decoder.packets(bytes), () -> decoder.packets(embedded(bytes), columns))) {
            assertThatThrownBy(decode).as(what).isInstanceOfSatisfying(AvroDecodeException.class, e -> {
                assertThat(e.reason()).isEqualTo(AvroDecodeException.Reason.CORRUPT_BODY);
                assertThat(e.getMessage()).startsWith("corrupt PacketBatch body (" + bytes.length + " bytes): ");
            });
        }
        assertThat(sameOutcome(bytes)).as(what).isFalse();
    }

    private interface Writes {
        void write(BinaryEncoder e) throws IOException;
    }

    private static byte[] body(Writes writes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder e = EncoderFactory.get().directBinaryEncoder(out, null);
        try {
            writes.write(e);
            e.flush();
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
        return out.toByteArray();
    }

    /** A batch with one summary whose first fields {@code writes} writes, followed by plenty of zero bytes. */
    private static byte[] summaryBody(Writes writes) {
        return concat(body(e -> {
            header(e);
            e.writeLong(0);
            e.writeLong(1);
            writes.write(e);
        }), new byte[64]);
    }

    private static void header(BinaryEncoder e) throws IOException {
        e.writeString("agent");
        e.writeString("boot");
        e.writeInt(3);
        e.writeLong(7);
        e.writeLong(9);
    }

    /** The batch with its arrays split into random blocks, some with negative counts and byte sizes (Avro's blocking form). */
    private byte[] inBlocks(PacketBatch batch, Random random) {
        SpecificDatumWriter<PacketSummary> writer = new SpecificDatumWriter<>(PacketSummary.class);
        return concat(header, body(e -> {
            e.writeString(batch.getAgentId());
            e.writeString(batch.getBootId());
            e.writeInt(batch.getPartition());
            e.writeLong(batch.getSequence());
            e.writeLong(batch.getCreatedMicros());
            List<byte[]> names = new ArrayList<>();
            for (String name : batch.getInterfaces()) {
                names.add(body(n -> n.writeString(name)));
            }
            writeBlocks(e, names, random);
            List<byte[]> summaries = new ArrayList<>();
            for (PacketSummary p : batch.getPackets()) {
                summaries.add(body(s -> writer.write(p, s)));
            }
            writeBlocks(e, summaries, random);
        }));
    }

    private static void writeBlocks(BinaryEncoder e, List<byte[]> items, Random random) throws IOException {
        int i = 0;
        while (i < items.size()) {
            int n = 1 + random.nextInt(Math.min(items.size() - i, 40));
            byte[] block = concat(items.subList(i, i + n).toArray(new byte[0][]));
            if (random.nextBoolean()) {
                e.writeLong(-n);
                e.writeLong(block.length);
            } else {
                e.writeLong(n);
            }
            e.writeFixed(block);
            i += n;
        }
        e.writeLong(0);
    }

    /** 200 summaries of the sample capture, IPv4 and IPv6, encoded as the agent encodes them. */
    private byte[] realRecord() throws IOException {
        try (InputStream in = DirectPacketDecodingTest.class.getResourceAsStream("/pcaps/sample.pcap")) {
            List<PacketSummary> summaries = PcapReader.read(in).stream().limit(200).map(AgentFixture::summary).collect(Collectors.toList());
            return codec.encode(batch(List.of("eth0", "lo"), summaries));
        }
    }

    private static PacketBatch batch(List<String> interfaces, List<PacketSummary> summaries) {
        return PacketBatch.newBuilder().setAgentId("agent-1").setBootId("boot-9").setPartition(4).setSequence(1234567).setCreatedMicros(42)
                .setInterfaces(interfaces).setPackets(summaries).build();
    }

    private static PacketBatch randomBatch(Random r) {
        List<String> interfaces = new ArrayList<>();
        for (int i = r.nextInt(5); i > 0; i--) {
            interfaces.add(randomText(r));
        }
        List<PacketSummary> summaries = new ArrayList<>();
        int size = r.nextInt(8) == 0 ? 0 : r.nextInt(400);
        for (int i = 0; i < size; i++) {
            int version = r.nextInt(3) == 0 ? 6 : 4;
            summaries.add(PacketSummary.newBuilder().setTsMicros(anyLong(r)).setIfIndex(anyInt(r)).setIpVersion(version).setProtocol(anyInt(r))
                    .setSrcIp(address(r, version)).setDstIp(address(r, version)).setSrcPort(anyInt(r)).setDstPort(anyInt(r))
                    .setIpBytes(anyInt(r)).setTtl(anyInt(r)).setTcpFlags(anyInt(r)).setTcpSeq(anyLong(r)).setTcpAck(anyLong(r))
                    .setTcpWindow(anyInt(r)).setPayloadBytes(anyInt(r)).setFragment(anyInt(r)).setVlanId(anyInt(r)).build());
        }
        return PacketBatch.newBuilder().setAgentId(randomText(r)).setBootId(randomText(r)).setPartition(anyInt(r)).setSequence(anyLong(r))
                .setCreatedMicros(anyLong(r)).setInterfaces(interfaces).setPackets(summaries).build();
    }

    private static ByteBuffer address(Random r, int version) {
        byte[] a = new byte[version == 4 ? 4 : 16];
        r.nextBytes(a);
        return ByteBuffer.wrap(a);
    }

    private static int anyInt(Random r) {
        switch (r.nextInt(6)) {
            case 0: return r.nextInt(256);
            case 1: return r.nextInt(65536);
            case 2: return -r.nextInt(1000);
            case 3: return r.nextBoolean() ? Integer.MAX_VALUE : Integer.MIN_VALUE;
            default: return r.nextInt();
        }
    }

    private static long anyLong(Random r) {
        switch (r.nextInt(7)) {
            case 0: return r.nextInt(1 << 20);
            case 1: return 1_700_000_000_000_000L + r.nextInt();
            case 2: return -r.nextInt();
            case 3: return r.nextBoolean() ? Long.MAX_VALUE : Long.MIN_VALUE;
            case 4: return r.nextLong() >> r.nextInt(64); // varints of every length, 1 to 10 bytes, of either sign
            default: return r.nextLong();
        }
    }

    private static String randomText(Random r) {
        String alphabet = "abcXYZ-_.09 éß漢字😀";
        StringBuilder s = new StringBuilder();
        for (int i = r.nextInt(24); i > 0; i--) {
            s.appendCodePoint(alphabet.codePointAt(alphabet.offsetByCodePoints(0, r.nextInt(alphabet.codePointCount(0, alphabet.length())))));
        }
        return s.toString();
    }

    static String fields(Schema record) {
        return record.getFields().stream().map(f -> f.name() + ":" + f.schema().getType()
                + (f.schema().getType() == Schema.Type.ARRAY ? "<" + f.schema().getElementType().getType() + ">" : ""))
                .collect(Collectors.joining(" "));
    }

    /** Every value of the batch, for comparisons with a readable difference. */
    static String text(SummaryBatch b) {
        StringBuilder s = new StringBuilder().append(b.agentId()).append('|').append(b.bootId()).append('|').append(b.partition()).append('|')
                .append(b.sequence()).append('|').append(b.createdMicros()).append('|').append(b.interfaces()).append('|').append(b.size());
        for (int i = 0; i < b.size(); i++) {
            s.append('\n').append(Arrays.toString(new long[] {b.ts(i), b.ipVersion(i), b.protocol(i), b.srcHi(i), b.srcLo(i), b.dstHi(i),
                    b.dstLo(i), b.srcPort(i), b.dstPort(i), b.ipBytes(i), b.tcpFlags(i), b.tcpSeq(i), b.payloadBytes(i)}));
        }
        return s.toString();
    }

    private static String hex(byte[] bytes) {
        return bytes.length + " bytes " + java.util.HexFormat.of().formatHex(bytes, 0, Math.min(bytes.length, 64));
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
