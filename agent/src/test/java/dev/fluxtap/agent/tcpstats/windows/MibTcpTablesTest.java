package dev.fluxtap.agent.tcpstats.windows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fluxtap.agent.tcpstats.TcpState;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Byte fixtures laid out exactly as the Windows structs: little-endian DWORDs, addresses raw, ports in network order. */
class MibTcpTablesTest {

    /** A port DWORD as Windows stores it: network-order bytes in the low 16 bits. */
    private static ByteBuffer putPort(ByteBuffer b, int port) {
        return b.put((byte) (port >>> 8)).put((byte) port).put((byte) 0).put((byte) 0);
    }

    @Test
    void ipv4OwnerPidTable() {
        ByteBuffer b = ByteBuffer.allocate(4 + 2 * MibTcpTables.ROW4_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(2);
        // row 0: ESTABLISHED 192.168.1.10:443 -> 10.0.0.7:50321, pid 4242
        b.putInt(5).put(new byte[] {(byte) 192, (byte) 168, 1, 10});
        putPort(b, 443).put(new byte[] {10, 0, 0, 7});
        putPort(b, 50321).putInt(4242);
        // row 1: LISTEN 0.0.0.0:135 -> 0.0.0.0:0, pid 1000
        b.putInt(2).put(new byte[4]);
        putPort(b, 135).put(new byte[4]);
        putPort(b, 0).putInt(1000);
        b.flip();

        List<MibTcpTables.Row> rows = MibTcpTables.parseIpv4(b);

        assertThat(rows).hasSize(2);
        MibTcpTables.Row r = rows.get(0);
        assertThat(r.localAddress()).containsExactly((byte) 192, (byte) 168, 1, 10);
        assertThat(r.localPort()).isEqualTo(443);
        assertThat(r.remoteAddress()).containsExactly(10, 0, 0, 7);
        assertThat(r.remotePort()).isEqualTo(50321);
        assertThat(MibTcpTables.state(r.mibState())).isEqualTo(TcpState.ESTABLISHED);
        assertThat(r.pid()).isEqualTo(4242);
        assertThat(rows.get(1).localPort()).isEqualTo(135);
        assertThat(MibTcpTables.state(rows.get(1).mibState())).isEqualTo(TcpState.LISTEN);
    }

    @Test
    void ipv6OwnerPidTable() {
        byte[] local = new byte[16];
        local[0] = (byte) 0xfe;
        local[1] = (byte) 0x80;
        local[15] = 1;
        byte[] remote = new byte[16];
        remote[0] = 0x20;
        remote[1] = 0x01;
        remote[2] = 0x0d;
        remote[3] = (byte) 0xb8;
        remote[15] = 9;
        ByteBuffer b = ByteBuffer.allocate(4 + MibTcpTables.ROW6_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(1).put(local).putInt(12);
        putPort(b, 3389).put(remote).putInt(0);
        putPort(b, 61000).putInt(11).putInt(776);
        b.flip();

        MibTcpTables.Row r = MibTcpTables.parseIpv6(b).get(0);

        assertThat(r.ipv6()).isTrue();
        assertThat(r.localAddress()).isEqualTo(local);
        assertThat(r.localScopeId()).isEqualTo(12);
        assertThat(r.localPort()).isEqualTo(3389);
        assertThat(r.remoteAddress()).isEqualTo(remote);
        assertThat(r.remotePort()).isEqualTo(61000);
        assertThat(MibTcpTables.state(r.mibState())).isEqualTo(TcpState.TIME_WAIT);
        assertThat(r.pid()).isEqualTo(776);
    }

    @Test
    void everyMibStateHasAName() {
        assertThat(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12).stream().map(MibTcpTables::state).map(TcpState::label))
                .containsExactly("CLOSE", "LISTEN", "SYN-SENT", "SYN-RECV", "ESTABLISHED", "FIN-WAIT-1", "FIN-WAIT-2",
                        "CLOSE-WAIT", "CLOSING", "LAST-ACK", "TIME-WAIT", "CLOSE");
        assertThatThrownBy(() -> MibTcpTables.state(13)).hasMessage("unknown MIB_TCP_STATE 13");
    }

    @Test
    void truncatedTableIsRejectedWithItsSizes() {
        ByteBuffer b = ByteBuffer.allocate(4 + 10).order(ByteOrder.LITTLE_ENDIAN).putInt(1);
        b.flip().limit(14);
        assertThatThrownBy(() -> MibTcpTables.parseIpv4(b))
                .hasMessage("TCP table says 1 rows of 24 bytes but has only 10 bytes after the count");
        assertThatThrownBy(() -> MibTcpTables.parseIpv6(ByteBuffer.allocate(2))).hasMessageContaining("entry count");
    }

    @Test
    void estatsRowsHaveTheMibTcpRowLayouts() {
        MibTcpTables.Row v4 = new MibTcpTables.Row(new byte[] {10, 0, 0, 1}, 0, 8080, new byte[] {10, 0, 0, 2}, 0, 50000, 5, 1);
        ByteBuffer row = ByteBuffer.wrap(MibTcpTables.estatsRow(v4)).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(row.capacity()).isEqualTo(20);
        assertThat(row.getInt(0)).isEqualTo(5);
        assertThat(row.get(4)).isEqualTo((byte) 10);
        assertThat(row.get(8)).as("port high byte first").isEqualTo((byte) (8080 >>> 8));
        assertThat(row.get(9)).isEqualTo((byte) (8080 & 0xff));
        assertThat(row.getShort(10)).isZero();

        byte[] a6 = new byte[16];
        a6[15] = 1;
        MibTcpTables.Row v6 = new MibTcpTables.Row(a6, 7, 443, a6, 7, 51000, 5, 1);
        ByteBuffer row6 = ByteBuffer.wrap(MibTcpTables.estatsRow(v6)).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(row6.capacity()).isEqualTo(52);
        assertThat(row6.getInt(20)).as("local scope id").isEqualTo(7);
        assertThat(MibTcpTables.port(row6.getInt(24))).isEqualTo(443);
        assertThat(MibTcpTables.port(row6.getInt(48))).isEqualTo(51000);
    }
}
