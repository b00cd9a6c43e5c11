package dev.fluxtap.aggregator.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fluxtap.aggregator.testing.AgentFixture;
import dev.fluxtap.aggregator.testing.Packets;
import dev.fluxtap.schemas.AvroCodec;
import dev.fluxtap.schemas.AvroDecodeException;
import dev.fluxtap.schemas.FluxtapSchemas;
import dev.fluxtap.schemas.avro.PacketBatch;
import dev.fluxtap.schemas.avro.PacketSummary;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordDecoderTest {

    private final RecordDecoder decoder = new RecordDecoder();
    private final AvroCodec<PacketBatch> codec = AvroCodec.of(FluxtapSchemas.PACKET_BATCH);

    private byte[] encoded(List<PacketSummary> summaries) {
        return codec.encode(PacketBatch.newBuilder().setAgentId("agent-1").setBootId("boot-9").setPartition(4).setSequence(1234567)
                .setCreatedMicros(42).setInterfaces(List.of("eth0", "lo")).setPackets(summaries).build());
    }

    @Test
    void theDirectPathReadsExactlyWhatSchemaResolutionReads() throws Exception {
        List<PacketSummary> summaries = List.of(
                AgentFixture.summary(Packets.tcp(1_700_000_000_000_001L, "10.0.0.1", 40000, "192.168.1.200", 443, Packets.SYN, 4_000_000_000L, 0)),
                AgentFixture.summary(Packets.udp(1_700_000_000_000_002L, "2001:db8::1", 5353, "ff02::fb", 5353, 100)));
        byte[] bytes = encoded(summaries);
        SummaryBatch direct = decoder.packets(bytes);
        SummaryBatch resolved = decoder.packetsResolved(bytes);
        assertThat(direct.agentId()).isEqualTo("agent-1");
        assertThat(direct.bootId()).isEqualTo("boot-9");
        assertThat(direct.sequence()).isEqualTo(1234567);
        assertThat(direct.partition()).isEqualTo(4);
        assertThat(direct.interfaces()).containsExactly("eth0", "lo");
        assertThat(direct.size()).isEqualTo(2).isEqualTo(resolved.size());
        for (int i = 0; i < 2; i++) {
            assertThat(new long[] {direct.ts(i), direct.ipVersion(i), direct.protocol(i), direct.srcHi(i), direct.srcLo(i), direct.dstHi(i),
                    direct.dstLo(i), direct.srcPort(i), direct.dstPort(i), direct.ipBytes(i), direct.tcpFlags(i), direct.tcpSeq(i),
                    direct.payloadBytes(i)})
                    .containsExactly(resolved.ts(i), resolved.ipVersion(i), resolved.protocol(i), resolved.srcHi(i), resolved.srcLo(i),
                            resolved.dstHi(i), resolved.dstLo(i), resolved.srcPort(i), resolved.dstPort(i), resolved.ipBytes(i),
                            resolved.tcpFlags(i), resolved.tcpSeq(i), resolved.payloadBytes(i));
        }
        assertThat(IpAddresses.text(4, direct.dstHi(0), direct.dstLo(0))).isEqualTo("192.168.1.200");
        assertThat(direct.tcpSeq(0)).isEqualTo(4_000_000_000L);
        assertThat(IpAddresses.text(6, direct.srcHi(1), direct.srcLo(1))).isEqualTo("2001:db8:0:0:0:0:0:1");
    }

    @Test
    void everyBatchOfAnAgentCarriesTheSameIdStringOnBothPaths() throws Exception {
        byte[] bytes = encoded(List.of(AgentFixture.summary(Packets.udp(1, "10.0.0.1", 1, "10.0.0.2", 2, 10))));
        SummaryBatch first = decoder.packets(bytes);
        assertThat(decoder.packets(bytes.clone()).agentId()).isSameAs(first.agentId());
        assertThat(decoder.packetsResolved(bytes).agentId()).isSameAs(first.agentId());
        assertThat(new RecordDecoder().packets(bytes).agentId()).isEqualTo("agent-1").isNotSameAs(first.agentId());
    }

    @Test
    void truncatedBodiesAndBadAddressesAreCorrupt() {
        byte[] bytes = encoded(List.of(AgentFixture.summary(Packets.udp(1, "10.0.0.1", 1, "10.0.0.2", 2, 10))));
        assertThatThrownBy(() -> decoder.packets(Arrays.copyOf(bytes, bytes.length - 5)))
                .isInstanceOfSatisfying(AvroDecodeException.class, e -> assertThat(e.reason()).isEqualTo(AvroDecodeException.Reason.CORRUPT_BODY));
        PacketSummary bad = AgentFixture.summary(Packets.udp(1, "10.0.0.1", 1, "10.0.0.2", 2, 10));
        bad.setSrcIp(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        assertThatThrownBy(() -> decoder.packets(encoded(List.of(bad))))
                .isInstanceOfSatisfying(AvroDecodeException.class, e -> assertThat(e.getMessage()).contains("3/4-byte addresses"));
    }
}
