package dev.fluxtap.aggregator.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static dev.fluxtap.aggregator.decode.DirectPacketDecodingTest.assertSameFromEveryBuffer;
import static dev.fluxtap.aggregator.decode.DirectPacketDecodingTest.embedded;
import static dev.fluxtap.aggregator.decode.DirectPacketDecodingTest.fields;
import static dev.fluxtap.aggregator.decode.DirectPacketDecodingTest.text;

import dev.fluxtap.aggregator.testing.AgentFixture;
import dev.fluxtap.aggregator.testing.PcapReader;
import dev.fluxtap.schemas.AvroCodec;
import dev.fluxtap.schemas.AvroDecodeException;
import dev.fluxtap.schemas.FluxtapSchemas;
import dev.fluxtap.schemas.avro.PacketBatch;
import dev.fluxtap.schemas.avro.PacketColumns;
import dev.fluxtap.schemas.avro.PacketSummary;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * The reader of PacketColumns records ({@link RecordDecoder#packets}): every batch decodes to exactly what the same batch
 * in PacketBatch rows decodes to, and a record whose columns contradict each other or the count is a corrupt body with
 * a message that names the column, never another exception or an allocation sized by a hostile count.
 */
class PacketColumnsDecodingTest {

    private static final int HEADER = 10;

    private final RecordDecoder decoder = new RecordDecoder();
    /** Reused across every decode of a test, as the ingest does, and small, so that batches grow it. */
    private final SummaryBatch.Builder columns = RecordDecoder.columns(4);
    private final AvroCodec<PacketBatch> rows = AvroCodec.of(FluxtapSchemas.PACKET_BATCH);
    private final AvroCodec<PacketColumns> codec = AvroCodec.of(FluxtapSchemas.PACKET_COLUMNS);

    @Test
    void theReaderFollowsTheSchemaFieldOrderAndTypes() {
        // If this fails, the schema changed: update RecordDecoder's column reader to the new field order and types.
        assertThat(fields(PacketColumns.getClassSchema())).isEqualTo("agentId:STRING bootId:STRING partition:INT sequence:LONG createdMicros:LONG "
                + "interfaces:ARRAY<STRING> count:INT tsMicros:BYTES ifIndex:BYTES ipVersion:BYTES protocol:BYTES srcIp:BYTES dstIp:BYTES "
                + "srcPort:BYTES dstPort:BYTES ipBytes:BYTES ttl:BYTES tcpFlags:BYTES tcpSeq:BYTES tcpAck:BYTES tcpWindow:BYTES "
                + "payloadBytes:BYTES fragment:BYTES vlanId:BYTES");
    }

    @Test
    void randomBatchesDecodeExactlyAsTheirRows() throws Exception {
        Random random = new Random(20261207L);
        for (int n = 0; n < 300; n++) {
            PacketBatch batch = randomBatch(random);
            String expected = text(decoder.packets(rows.encode(batch)));
            byte[] record = AgentFixture.encodeColumns(batch);
            assertThat(text(decoder.packets(record))).as("batch %d", n).isEqualTo(expected);
            assertSameFromEveryBuffer(decoder, columns, record, expected, "batch " + n);
        }
    }

    @Test
    void aRealCaptureOfIpv4AndIpv6DecodesAsItsRows() throws Exception {
        PacketBatch batch = realBatch();
        assertThat(batch.getPackets()).extracting(PacketSummary::getIpVersion).contains(4, 6);
        SummaryBatch decoded = decoder.packets(AgentFixture.encodeColumns(batch));
        assertThat(decoded.size()).isEqualTo(200);
        assertThat(text(decoded)).isEqualTo(text(decoder.packets(rows.encode(batch))));
    }

    @Test
    void everyTruncationOfARealRecordIsCorrupt() throws Exception {
        byte[] bytes = AgentFixture.encodeColumns(realBatch());
        for (int length = HEADER; length < bytes.length; length++) {
            byte[] cut = Arrays.copyOf(bytes, length);
            assertThatThrownBy(() -> decoder.packets(cut)).as("%d of %d bytes", length, bytes.length)
                    .isInstanceOfSatisfying(AvroDecodeException.class, e -> assertThat(e.reason()).isEqualTo(AvroDecodeException.Reason.CORRUPT_BODY));
        }
    }

    @Test
    void randomBitFlipsDecodeToTheirCountOrAreCorrupt() throws Exception {
        Random random = new Random(43L);
        List<byte[]> records = List.of(AgentFixture.encodeColumns(realBatch()), AgentFixture.encodeColumns(randomBatch(random)));
        int decoded = 0;
        for (int n = 0; n < 6000; n++) {
            byte[] bytes = records.get(n % records.size()).clone();
            for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                int bit = HEADER * 8 + random.nextInt((bytes.length - HEADER) * 8);
                bytes[bit / 8] ^= (byte) (1 << (bit % 8));
            }
            try {
                SummaryBatch b = decoder.packets(ByteBuffer.wrap(bytes), columns);
                assertThat(b.size()).isLessThanOrEqualTo((bytes.length - HEADER) / 20);
                decoded++;
            } catch (AvroDecodeException e) {
                assertThat(e.reason()).as(e.getMessage()).isEqualTo(AvroDecodeException.Reason.CORRUPT_BODY);
                assertThat(e.getMessage()).startsWith("corrupt PacketColumns body (" + bytes.length + " bytes): ");
            }
        }
        // Flips in the values decode (nothing checks a port), flips in lengths, counts and versions do not: both occur.
        assertThat(decoded).isBetween(100, 5900);
    }

    @Test
    void columnsThatContradictTheCountOrTheVersionsAreCorrupt() throws Exception {
        assertCorrupt(c -> c.setIpBytes(ByteBuffer.wrap(new byte[7])), "column ipBytes of 7 bytes for 2 summaries of 4");
        assertCorrupt(c -> c.setTsMicros(ByteBuffer.wrap(new byte[24])), "column tsMicros of 24 bytes for 2 summaries of 8");
        assertCorrupt(c -> c.setVlanId(ByteBuffer.wrap(new byte[0])), "column vlanId of 0 bytes for 2 summaries of 2");
        assertCorrupt(c -> c.setCount(3), "column tsMicros of 16 bytes for 3 summaries of 8");
        assertCorrupt(c -> c.setCount(-1), "negative count -1");
        assertCorrupt(c -> c.setIpVersion(ByteBuffer.wrap(new byte[] {4, 5})), "summary 1 of batch 43 from host-a has ipVersion 5");
        // IPv6 claimed for the first summary, with room for IPv4 addresses only.
        assertCorrupt(c -> c.setIpVersion(ByteBuffer.wrap(new byte[] {6, 6})), "address columns of 20/20 bytes where the versions need 32");
        assertCorrupt(c -> c.setDstIp(ByteBuffer.wrap(new byte[19])), "address columns of 20/19 bytes where the versions need 20");
        assertCorrupt(c -> c.setIpBytes(little(4, 60, -1)), "a negative ipBytes or payloadBytes in batch 43 from host-a");
        assertCorrupt(c -> c.setPayloadBytes(little(4, Integer.MIN_VALUE, 0)), "a negative ipBytes or payloadBytes");
    }

    @Test
    void aHostileCountIsCorruptWithoutAllocatingIt() {
        for (int count : new int[] {Integer.MAX_VALUE, 1 << 28, 536_870_912}) {
            assertCorrupt(c -> c.setCount(count), "column tsMicros of 16 bytes for " + count + " summaries of 8");
        }
    }

    @Test
    void anEmptyBatchDecodes() throws Exception {
        PacketBatch empty = batch(List.of(), List.of());
        SummaryBatch b = decoder.packets(ByteBuffer.wrap(AgentFixture.encodeColumns(empty)), columns);
        assertThat(b.size()).isZero();
        assertThat(text(b)).isEqualTo(text(decoder.packets(rows.encode(empty))));
    }

    /** A two-summary record (IPv4 then IPv6, 4 + 16 address bytes) changed by {@code change}, refused with {@code message}. */
    private void assertCorrupt(UnaryOperator<PacketColumns.Builder> change, String message) {
        byte[] bytes = codec.encode(change.apply(PacketColumns.newBuilder(validColumns())).build());
        for (ThrowingCallable decode : List.<ThrowingCallable>of(() -> decoder.packets(bytes), () -> decoder.packets(embedded(bytes), columns))) {
            assertThatThrownBy(decode).as(message).isInstanceOfSatisfying(AvroDecodeException.class, e -> {
                assertThat(e.reason()).isEqualTo(AvroDecodeException.Reason.CORRUPT_BODY);
                assertThat(e.getMessage()).startsWith("corrupt PacketColumns body (" + bytes.length + " bytes): ").contains(message);
            });
        }
    }

    /** Two summaries, one IPv4 and one IPv6, as the reader accepts them. */
    private PacketColumns validColumns() {
        PacketSummary v4 = summary(4, new byte[] {10, 0, 0, 1}, new byte[] {10, 0, 0, 2});
        byte[] a = new byte[16], b = new byte[16];
        a[0] = b[0] = 0x20;
        a[15] = 1;
        b[15] = 2;
        PacketColumns c = AgentFixture.columns(batch(List.of("eth0"), List.of(v4, summary(6, a, b))));
        try {
            assertThat(decoder.packets(codec.encode(c)).size()).isEqualTo(2);
        } catch (AvroDecodeException e) {
            throw new AssertionError("the unchanged record must decode", e);
        }
        return c;
    }

    private static PacketSummary summary(int version, byte[] src, byte[] dst) {
        return PacketSummary.newBuilder().setTsMicros(1_763_000_000_000_000L).setIpVersion(version).setProtocol(6).setSrcIp(ByteBuffer.wrap(src))
                .setDstIp(ByteBuffer.wrap(dst)).setSrcPort(40000).setDstPort(443).setIpBytes(60).setPayloadBytes(0).build();
    }

    private static ByteBuffer little(int width, long... values) {
        ByteBuffer b = ByteBuffer.allocate(width * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            for (int i = 0; i < width; i++) {
                b.put((byte) (v >>> (8 * i)));
            }
        }
        return b.flip();
    }

    /** 200 summaries of the sample capture, IPv4 and IPv6. */
    private static PacketBatch realBatch() throws IOException {
        try (InputStream in = PacketColumnsDecodingTest.class.getResourceAsStream("/pcaps/sample.pcap")) {
            return batch(List.of("eth0", "lo"), PcapReader.read(in).stream().limit(200).map(AgentFixture::summary).collect(Collectors.toList()));
        }
    }

    private static PacketBatch batch(List<String> interfaces, List<PacketSummary> summaries) {
        return PacketBatch.newBuilder().setAgentId("host-a").setBootId("boot-9").setPartition(4).setSequence(43).setCreatedMicros(42)
                .setInterfaces(interfaces).setPackets(summaries).build();
    }

    /** Every field anywhere in the range its column holds (the rows hold more: ints and longs of any value). */
    private static PacketBatch randomBatch(Random r) {
        List<PacketSummary> summaries = new ArrayList<>();
        int size = r.nextInt(8) == 0 ? 0 : r.nextInt(400);
        for (int i = 0; i < size; i++) {
            int version = r.nextInt(3) == 0 ? 6 : 4;
            summaries.add(PacketSummary.newBuilder().setTsMicros(r.nextBoolean() ? r.nextLong() : 1_763_000_000_000_000L + r.nextInt())
                    .setIfIndex(r.nextInt(65536)).setIpVersion(version).setProtocol(r.nextInt(256)).setSrcIp(address(r, version))
                    .setDstIp(address(r, version)).setSrcPort(r.nextInt(65536)).setDstPort(r.nextInt(65536))
                    .setIpBytes(r.nextBoolean() ? 65575 : r.nextInt(Integer.MAX_VALUE)).setTtl(r.nextInt(256)).setTcpFlags(r.nextInt(256))
                    .setTcpSeq(r.nextBoolean() ? 0xFFFF_FFFFL : r.nextLong() & 0xFFFF_FFFFL).setTcpAck(r.nextLong() & 0xFFFF_FFFFL)
                    .setTcpWindow(r.nextInt(65536)).setPayloadBytes(r.nextInt(Integer.MAX_VALUE)).setFragment(r.nextInt(3))
                    .setVlanId(r.nextInt(4096)).build());
        }
        List<String> interfaces = new ArrayList<>();
        for (int i = r.nextInt(4); i > 0; i--) {
            interfaces.add("if" + r.nextInt(100) + "é");
        }
        return PacketBatch.newBuilder().setAgentId("agent-" + r.nextInt(5)).setBootId("boot-" + r.nextInt()).setPartition(r.nextInt(64))
                .setSequence(r.nextLong() & Long.MAX_VALUE).setCreatedMicros(r.nextLong()).setInterfaces(interfaces).setPackets(summaries).build();
    }

    private static ByteBuffer address(Random r, int version) {
        byte[] a = new byte[version == 4 ? 4 : 16];
        r.nextBytes(a);
        return ByteBuffer.wrap(a);
    }
}
