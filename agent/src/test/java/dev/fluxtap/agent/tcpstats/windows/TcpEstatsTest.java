package dev.fluxtap.agent.tcpstats.windows;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fluxtap.agent.tcpstats.IpAddresses;
import dev.fluxtap.agent.tcpstats.TcpConnectionStats;
import dev.fluxtap.agent.tcpstats.TcpState;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** ROD structs built byte by byte at the tcpestats.h offsets (64-bit: SIZE_T is 8 bytes). */
class TcpEstatsTest {

    private static TcpConnectionStats.Builder builder() {
        return TcpConnectionStats.builder().state(TcpState.ESTABLISHED)
                .local(IpAddresses.parseLiteral("10.0.0.1"), 1).remote(IpAddresses.parseLiteral("10.0.0.2"), 2);
    }

    private static ByteBuffer rod(TcpEstats.Type type, int pointerSize) {
        return ByteBuffer.allocate(type.rodSize(pointerSize)).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void allStructsTogether() {
        TcpConnectionStats.Builder b = builder();

        ByteBuffer data = rod(TcpEstats.Type.DATA, 8);
        data.putLong(0, 1_000_000L).putLong(32, 900L).putLong(40, 700L).putLong(72, 999_999L).putLong(88, 555_555L);
        TcpEstats.applyData(data, b);

        ByteBuffer path = rod(TcpEstats.Type.PATH, 8);
        path.putInt(3 * 4, 1).putInt(5 * 4, 42).putInt(27 * 4, 12).putInt(28 * 4, 3).putInt(30 * 4, -1).putInt(36 * 4, 1460);
        int mss = TcpEstats.applyPath(path, b);

        ByteBuffer cong = rod(TcpEstats.Type.SND_CONG, 8);
        cong.putInt(60, 14600).putInt(72, -1);
        TcpEstats.applySndCong(cong, 8, mss, b);

        ByteBuffer sendBuff = rod(TcpEstats.Type.SEND_BUFF, 8);
        sendBuff.putLong(0, 2000).putLong(16, 500);
        TcpEstats.applySendBuff(sendBuff, 8, b);

        ByteBuffer rec = rod(TcpEstats.Type.REC, 8);
        rec.putLong(48, 321);
        TcpEstats.applyRec(rec, 8, b);

        ByteBuffer bandwidth = rod(TcpEstats.Type.BANDWIDTH, 8);
        bandwidth.putLong(0, 100_000_000L);
        TcpEstats.applyBandwidth(bandwidth, b);

        TcpConnectionStats c = b.build();
        assertThat(c.bytesSent()).isEqualTo(1_000_000L);
        assertThat(c.segsOut()).isEqualTo(900);
        assertThat(c.segsIn()).isEqualTo(700);
        assertThat(c.bytesAcked()).isEqualTo(999_999L);
        assertThat(c.bytesReceived()).isEqualTo(555_555L);
        assertThat(c.retransmitsCurrent()).isEqualTo(1);
        assertThat(c.retransmitsTotal()).isEqualTo(42);
        assertThat(c.rttMicros()).as("ms to µs").isEqualTo(12_000);
        assertThat(c.rttVarMicros()).isEqualTo(3_000);
        assertThat(c.minRttMicros()).as("0xFFFFFFFF: no sample yet").isNull();
        assertThat(c.mss()).isEqualTo(1460);
        assertThat(c.cwnd()).as("bytes / mss").isEqualTo(10);
        assertThat(c.ssthresh()).isNull();
        assertThat(c.sendQueueBytes()).isEqualTo(2500);
        assertThat(c.recvQueueBytes()).isEqualTo(321);
        assertThat(c.deliveryRateBps()).isEqualTo(100_000_000L);
    }

    @Test
    void thirtyTwoBitLayouts() {
        TcpConnectionStats.Builder b = builder();
        assertThat(TcpEstats.Type.SND_CONG.rodSize(4)).isEqualTo(72);
        assertThat(TcpEstats.Type.REC.rodSize(4)).isEqualTo(56);
        assertThat(TcpEstats.Type.SEND_BUFF.rodSize(4)).isEqualTo(16);

        ByteBuffer cong = rod(TcpEstats.Type.SND_CONG, 4);
        cong.putInt(48, 2920).putInt(60, 5840);
        TcpEstats.applySndCong(cong, 4, 1460, b);
        ByteBuffer sendBuff = rod(TcpEstats.Type.SEND_BUFF, 4);
        sendBuff.putInt(0, 10).putInt(8, 5);
        TcpEstats.applySendBuff(sendBuff, 4, b);
        ByteBuffer rec = rod(TcpEstats.Type.REC, 4);
        rec.putInt(44, 77);
        TcpEstats.applyRec(rec, 4, b);

        TcpConnectionStats c = b.build();
        assertThat(c.cwnd()).isEqualTo(2);
        assertThat(c.ssthresh()).isEqualTo(4);
        assertThat(c.sendQueueBytes()).isEqualTo(15);
        assertThat(c.recvQueueBytes()).isEqualTo(77);
    }

    @Test
    void withoutMssTheWindowIsUnknown() {
        TcpConnectionStats.Builder b = builder();
        TcpEstats.applySndCong(rod(TcpEstats.Type.SND_CONG, 8).putInt(60, 14600), 8, 0, b);
        assertThat(b.build().cwnd()).isNull();
    }

    @Test
    void enableStructs() {
        assertThat(TcpEstats.enableRw(TcpEstats.Type.DATA)).containsExactly(1);
        assertThat(TcpEstats.enableRw(TcpEstats.Type.BANDWIDTH)).containsExactly(1, 0, 0, 0, 1, 0, 0, 0);
    }
}
