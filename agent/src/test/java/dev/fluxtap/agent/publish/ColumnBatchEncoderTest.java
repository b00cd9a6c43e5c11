package dev.fluxtap.agent.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fluxtap.agent.config.WireFormat;
import dev.fluxtap.agent.summarize.PacketSummary;
import dev.fluxtap.schemas.AvroCodec;
import dev.fluxtap.schemas.FluxtapSchemas;
import dev.fluxtap.schemas.avro.PacketColumns;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** What the columns encoder writes, read back by Avro's own decoder and compared with the summaries it was given. */
class ColumnBatchEncoderTest {

    private static final AvroCodec<PacketColumns> CODEC = AvroCodec.of(FluxtapSchemas.PACKET_COLUMNS);
    private static final BatchIdentity IDENTITY = new BatchIdentity("agent-7", "boot-7", List.of("eth0", "eth1"));

    private final ColumnBatchEncoder encoder = new ColumnBatchEncoder();

    /** The widest value of every column, and an IPv6 summary beside an IPv4 one. */
    private static final PacketSummary V4_EXTREMES = new PacketSummary(Long.MAX_VALUE, 65535, 4, 255, 0, 0xFFFF_FFFFL, 0, 0x0A000001L, 65535,
            65535, 65575, 255, 255, 0xFFFF_FFFFL, 0xFFFF_FFFFL, 65535, Integer.MAX_VALUE, 2, 4095);
    private static final PacketSummary V6 = new PacketSummary(0x0102030405060708L, 1, 6, 58, 0x20010DB800000000L, 1L, 0xFE80000000000000L,
            0xFFFF_FFFF_FFFF_FFFFL, 0, 0x8000, 40, 0, 0, 0, 0, 0, 0, 0, 0);

    @Test
    void random_batches_read_back_as_the_summaries_they_were_made_of() throws Exception {
        SplittableRandom random = new SplittableRandom(20260611);
        BatchIdentity identity = BatchEncoderTest.identity(random);
        for (int round = 0; round < 300; round++) {
            if (round % 50 == 0) {
                identity = BatchEncoderTest.identity(random); // a new identity mid-way: its cached encoding must follow
            }
            int ipv6Percent = switch (round % 3) {
                case 0 -> 0;
                case 1 -> 100;
                default -> 50;
            };
            int n = round % 100 == 7 ? 0 : round % 100 == 8 ? 1 : random.nextInt(round % 10 == 0 ? 3000 : 50);
            List<PacketSummary> summaries = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                summaries.add(summary(random, random.nextInt(100) < ipv6Percent));
            }
            SummaryBatch batch = new SummaryBatch(identity, random.nextInt(64), random.nextLong(0, Long.MAX_VALUE),
                    random.nextLong(0, 4_000_000_000_000_000L), summaries);

            PacketColumns decoded = CODEC.decode(encoder.encode(batch));

            assertThat(decoded.getCount()).as("round %d", round).isEqualTo(n);
            assertThat(PublishedBatches.toRows(decoded)).as("round %d, %d summaries", round, n).isEqualTo(GenericBatchEncoding.toAvro(batch));
        }
    }

    /** Little-endian numbers at their full widths, addresses in network order one after the other, byte for byte. */
    @Test
    void extreme_values_take_their_columns_full_width() throws Exception {
        SummaryBatch batch = new SummaryBatch(IDENTITY, 3, 42, 1_700_000_002_000_000L, List.of(V4_EXTREMES, V6));

        PacketColumns c = CODEC.decode(encoder.encode(batch));

        assertThat(c.getCount()).isEqualTo(2);
        assertThat(hex(c.getTsMicros())).isEqualTo("ffffffffffffff7f" + "0807060504030201");
        assertThat(hex(c.getIfIndex())).isEqualTo("ffff" + "0100");
        assertThat(hex(c.getIpVersion())).isEqualTo("04" + "06");
        assertThat(hex(c.getProtocol())).isEqualTo("ff" + "3a");
        assertThat(hex(c.getSrcIp())).isEqualTo("ffffffff" + "20010db8000000000000000000000001");
        assertThat(hex(c.getDstIp())).isEqualTo("0a000001" + "fe80000000000000ffffffffffffffff");
        assertThat(hex(c.getSrcPort())).isEqualTo("ffff" + "0000");
        assertThat(hex(c.getDstPort())).isEqualTo("ffff" + "0080");
        assertThat(hex(c.getIpBytes())).isEqualTo("27000100" + "28000000");
        assertThat(hex(c.getTtl())).isEqualTo("ff" + "00");
        assertThat(hex(c.getTcpFlags())).isEqualTo("ff" + "00");
        assertThat(hex(c.getTcpSeq())).isEqualTo("ffffffff" + "00000000");
        assertThat(hex(c.getTcpAck())).isEqualTo("ffffffff" + "00000000");
        assertThat(hex(c.getTcpWindow())).isEqualTo("ffff" + "0000");
        assertThat(hex(c.getPayloadBytes())).isEqualTo("ffffff7f" + "00000000");
        assertThat(hex(c.getFragment())).isEqualTo("02" + "00");
        assertThat(hex(c.getVlanId())).isEqualTo("ff0f" + "0000");
        assertThat(PublishedBatches.toRows(c)).as("header fields too").isEqualTo(GenericBatchEncoding.toAvro(batch));
    }

    @Test
    void an_empty_batch_has_empty_columns() throws Exception {
        PacketColumns c = CODEC.decode(encoder.encode(new SummaryBatch(IDENTITY, 0, 0, 1, List.of())));

        assertThat(c.getCount()).isZero();
        assertThat(List.of(c.getTsMicros(), c.getSrcIp(), c.getDstIp(), c.getVlanId())).allSatisfy(b -> assertThat(b.remaining()).isZero());
        assertThat(c.getAgentId()).isEqualTo("agent-7");
    }

    /** The batcher's byte limit counts on it: every summary adds exactly its fixed widths and two addresses. */
    @Test
    void each_summary_adds_exactly_the_bytes_the_batcher_counts() {
        // 1000 and 1010 summaries: every column length stays a 2-byte varint, so only the summaries make the difference.
        for (PacketSummary s : List.of(V4_EXTREMES, V6)) {
            int smaller = encoder.encode(new SummaryBatch(IDENTITY, 0, 0, 1, Collections.nCopies(1000, s))).length;
            int larger = encoder.encode(new SummaryBatch(IDENTITY, 0, 0, 1, Collections.nCopies(1010, s))).length;
            assertThat(larger - smaller).as("IPv%d", s.ipVersion()).isEqualTo(10 * BatchEncoding.summaryBytes(WireFormat.COLUMNS, s.ipVersion()));
        }
        assertThat(BatchEncoding.summaryBytes(WireFormat.COLUMNS, 4)).isEqualTo(47);
        assertThat(BatchEncoding.summaryBytes(WireFormat.COLUMNS, 6)).isEqualTo(71);
    }

    @Test
    void a_value_its_column_cannot_hold_is_refused_with_the_field_named() throws Exception {
        PacketSummary ok = V4_EXTREMES;
        assertRefused(with(ok, 5, ok.ifIndex(), ok.ipBytes(), ok.payloadBytes()), "ipVersion 5 is neither 4 nor 6");
        assertRefused(with(ok, 4, 65536, ok.ipBytes(), ok.payloadBytes()), "ifIndex 65536 is outside 0..65535");
        assertRefused(with(ok, 4, -1, ok.ipBytes(), ok.payloadBytes()), "ifIndex -1 is outside 0..65535");
        assertRefused(with(ok, 6, ok.ifIndex(), -1, ok.payloadBytes()), "ipBytes -1 is negative");
        assertRefused(with(ok, 4, ok.ifIndex(), ok.ipBytes(), Integer.MIN_VALUE), "payloadBytes -2147483648 is negative");

        // A refusal leaves nothing behind for the next batch.
        SummaryBatch next = new SummaryBatch(IDENTITY, 1, 8, 1, List.of(V6, ok));
        assertThat(PublishedBatches.toRows(CODEC.decode(encoder.encode(next)))).isEqualTo(GenericBatchEncoding.toAvro(next));
    }

    private void assertRefused(PacketSummary bad, String problem) {
        SummaryBatch batch = new SummaryBatch(IDENTITY, 1, 7, 1, List.of(V6, V4_EXTREMES, bad));
        assertThatThrownBy(() -> encoder.encode(batch)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cannot write summary 2 of the batch for partition 1 (sequence 7) as PacketColumns: " + problem)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    private static PacketSummary with(PacketSummary s, int ipVersion, int ifIndex, int ipBytes, int payloadBytes) {
        return new PacketSummary(s.tsMicros(), ifIndex, ipVersion, s.protocol(), s.srcHi(), s.srcLo(), s.dstHi(), s.dstLo(), s.srcPort(),
                s.dstPort(), ipBytes, s.ttl(), s.tcpFlags(), s.tcpSeq(), s.tcpAck(), s.tcpWindow(), payloadBytes, s.fragment(), s.vlanId());
    }

    /** A summary the decoder could produce: every header field within its width, any timestamp. */
    private static PacketSummary summary(SplittableRandom r, boolean ipv6) {
        return new PacketSummary(r.nextLong(), r.nextInt(65536), ipv6 ? 6 : 4, r.nextInt(256), ipv6 ? r.nextLong() : 0,
                ipv6 ? r.nextLong() : r.nextLong(1L << 32), ipv6 ? r.nextLong() : 0, ipv6 ? r.nextLong() : r.nextLong(1L << 32),
                r.nextInt(65536), r.nextInt(65536), r.nextInt(0, Integer.MAX_VALUE), r.nextInt(256), r.nextInt(256), r.nextLong(1L << 32),
                r.nextLong(1L << 32), r.nextInt(65536), r.nextInt(0, Integer.MAX_VALUE), r.nextInt(3), r.nextInt(4096));
    }

    private static String hex(ByteBuffer b) {
        ByteBuffer d = b.duplicate();
        byte[] bytes = new byte[d.remaining()];
        d.get(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
