package dev.fluxtap.agent.publish;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fluxtap.agent.summarize.PacketSummary;
import dev.fluxtap.schemas.AvroCodec;
import dev.fluxtap.schemas.FluxtapSchemas;
import dev.fluxtap.schemas.avro.PacketBatch;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BatchEncoderTest {

    @Test
    void encodes_what_the_contract_codec_decodes_also_when_the_buffer_is_reused() throws Exception {
        BatchEncoder encoder = new BatchEncoder();
        BatchIdentity identity = new BatchIdentity("agent-7", "boot-7", List.of("eth0", "eth1"));
        PacketSummary v4 = new PacketSummary(1_700_000_000_123_456L, 1, 4, 6, 0, 0x0A000001L, 0, 0xC0A80001L, 40000, 443, 1500, 63, 0x18,
                4_000_000_000L, 12345L, 512, 1448, 0, 42);
        PacketSummary v6 = new PacketSummary(1_700_000_000_123_999L, 0, 6, 17, 0x20010DB800000000L, 1L, 0xFE80000000000000L, 2L, 5353, 53,
                68, 255, 0, 0, 0, 0, 20, 1, 0);
        AvroCodec<PacketBatch> codec = AvroCodec.of(FluxtapSchemas.PACKET_BATCH);
        byte[] big = encoder.encode(new SummaryBatch(identity, 3, 41, 1_700_000_001_000_000L, java.util.Collections.nCopies(2000, v4)));
        byte[] small = encoder.encode(new SummaryBatch(identity, 3, 42, 1_700_000_002_000_000L, List.of(v4, v6)));

        assertThat(codec.decode(big).getPackets()).hasSize(2000);
        PacketBatch decoded = codec.decode(small);
        assertThat(decoded.getAgentId()).isEqualTo("agent-7");
        assertThat(decoded.getBootId()).isEqualTo("boot-7");
        assertThat(decoded.getPartition()).isEqualTo(3);
        assertThat(decoded.getSequence()).isEqualTo(42);
        assertThat(decoded.getCreatedMicros()).isEqualTo(1_700_000_002_000_000L);
        assertThat(decoded.getInterfaces()).containsExactly("eth0", "eth1");
        dev.fluxtap.schemas.avro.PacketSummary a = decoded.getPackets().get(0);
        assertThat(a.getTsMicros()).isEqualTo(1_700_000_000_123_456L);
        assertThat(a.getIfIndex()).isEqualTo(1);
        assertThat(a.getSrcIp()).isEqualTo(ByteBuffer.wrap(new byte[] {10, 0, 0, 1}));
        assertThat(a.getDstIp()).isEqualTo(ByteBuffer.wrap(new byte[] {(byte) 192, (byte) 168, 0, 1}));
        assertThat(a.getTcpSeq()).isEqualTo(4_000_000_000L);
        assertThat(a.getTcpFlags()).isEqualTo(0x18);
        assertThat(a.getPayloadBytes()).isEqualTo(1448);
        assertThat(a.getVlanId()).isEqualTo(42);
        dev.fluxtap.schemas.avro.PacketSummary b = decoded.getPackets().get(1);
        assertThat(b.getSrcIp().remaining()).isEqualTo(16);
        assertThat(b.getSrcIp().getLong(0)).isEqualTo(0x20010DB800000000L);
        assertThat(b.getDstIp().getLong(8)).isEqualTo(2L);
        assertThat(b.getTtl()).isEqualTo(255);
        assertThat(b.getFragment()).isEqualTo(1);
    }

    @Test
    void writes_the_same_bytes_as_the_generic_avro_writer_for_random_batches() throws Exception {
        BatchEncoder encoder = new BatchEncoder();
        GenericBatchEncoding reference = new GenericBatchEncoding();
        AvroCodec<PacketBatch> codec = AvroCodec.of(FluxtapSchemas.PACKET_BATCH);
        SplittableRandom random = new SplittableRandom(20261206);
        BatchIdentity identity = identity(random);
        for (int round = 0; round < 300; round++) {
            if (round % 50 == 0) {
                identity = identity(random); // a new identity mid-way: its cached encoding must follow
            }
            int n = round % 100 == 7 ? 0 : random.nextInt(round % 10 == 0 ? 3000 : 50);
            List<PacketSummary> summaries = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                summaries.add(summary(random));
            }
            SummaryBatch batch = new SummaryBatch(identity, random.nextInt(64), random.nextLong(0, Long.MAX_VALUE),
                    random.nextLong(0, 4_000_000_000_000_000L), summaries);
            byte[] expected = reference.encode(batch);
            byte[] actual = encoder.encode(batch);
            assertThat(actual).as("round %d, %d summaries", round, n).isEqualTo(expected);
            assertThat(codec.decode(actual)).isEqualTo(GenericBatchEncoding.toAvro(batch));
        }
    }

    static BatchIdentity identity(SplittableRandom random) {
        List<String> interfaces = new ArrayList<>();
        for (int i = random.nextInt(4); i > 0; i--) {
            interfaces.add("eth" + random.nextInt(1000) + (random.nextBoolean() ? "" : "-näme-" + "x".repeat(random.nextInt(80))));
        }
        return new BatchIdentity("agent-" + "é".repeat(random.nextInt(100)) + random.nextInt(), java.util.UUID.randomUUID().toString(),
                interfaces);
    }

    private static PacketSummary summary(SplittableRandom r) {
        boolean v4 = r.nextBoolean();
        return new PacketSummary(r.nextLong(), r.nextInt(), v4 ? 4 : 6, r.nextInt(256), v4 ? 0 : r.nextLong(),
                v4 ? r.nextLong(1L << 32) : r.nextLong(), v4 ? 0 : r.nextLong(), v4 ? r.nextLong(1L << 32) : r.nextLong(),
                r.nextInt(65536), r.nextInt(65536), r.nextInt(), r.nextInt(256), r.nextInt(), r.nextLong(1L << 32), r.nextLong(),
                r.nextInt(Integer.MIN_VALUE, Integer.MAX_VALUE), r.nextInt(), r.nextInt(4), r.nextInt(4096));
    }
}
