package dev.fluxtap.agent.summarize;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FlowHashTest {

    private static final long A = 0x0A000001L, B = 0x0A000002L; // 10.0.0.1, 10.0.0.2 in the low word (IPv4)

    private static PacketSummary packet(int protocol, long src, int srcPort, long dst, int dstPort) {
        return new PacketSummary(1, 0, 4, protocol, 0, src, 0, dst, srcPort, dstPort, 60, 64, 0, 0, 0, 0, 0, 0, 0);
    }

    @Test
    void bothDirectionsOfATcpFlowShareAPartition() {
        for (int partitions : new int[] {1, 6, 7, 64}) {
            assertThat(FlowHash.partition(packet(6, A, 40000, B, 443), partitions))
                    .isEqualTo(FlowHash.partition(packet(6, B, 443, A, 40000), partitions));
        }
    }

    @Test
    void icmpEchoReplyLandsWithItsRequest() {
        PacketSummary request = packet(1, A, 0, B, 8 << 8);
        PacketSummary reply = packet(1, B, 0, A, 0);
        PacketSummary v6Request = packet(58, A, 0, B, 128 << 8);
        PacketSummary v6Reply = packet(58, B, 0, A, 129 << 8);

        assertThat(FlowHash.of(reply)).isEqualTo(FlowHash.of(request));
        assertThat(FlowHash.of(v6Reply)).isEqualTo(FlowHash.of(v6Request));
    }

    @Test
    void differentFlowsUsuallyDiffer() {
        assertThat(FlowHash.of(packet(6, A, 40000, B, 443))).isNotEqualTo(FlowHash.of(packet(6, A, 40001, B, 443)));
        assertThat(FlowHash.of(packet(17, A, 40000, B, 443))).isNotEqualTo(FlowHash.of(packet(6, A, 40000, B, 443)));
    }
}
