package dev.fluxtap.agent.tcpstats.windows;

import dev.fluxtap.agent.tcpstats.TcpState;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Pure-Java reading and writing of the iphlpapi TCP tables, so that they are testable off Windows. Windows structs
 * are little-endian DWORDs, except addresses (network byte order, as raw bytes) and ports (network byte order in the
 * low 16 bits of a DWORD: memory bytes {@code [hi, lo, 0, 0]}).
 *
 * <pre>
 * MIB_TCPTABLE_OWNER_PID  { DWORD dwNumEntries; MIB_TCPROW_OWNER_PID table[]; }
 * MIB_TCPROW_OWNER_PID    { DWORD dwState, dwLocalAddr, dwLocalPort, dwRemoteAddr, dwRemotePort, dwOwningPid; }  24 bytes
 * MIB_TCP6TABLE_OWNER_PID { DWORD dwNumEntries; MIB_TCP6ROW_OWNER_PID table[]; }
 * MIB_TCP6ROW_OWNER_PID   { UCHAR ucLocalAddr[16]; DWORD dwLocalScopeId, dwLocalPort; UCHAR ucRemoteAddr[16];
 *                           DWORD dwRemoteScopeId, dwRemotePort, dwState, dwOwningPid; }                     56 bytes
 * MIB_TCPROW              { DWORD dwState, dwLocalAddr, dwLocalPort, dwRemoteAddr, dwRemotePort; }            20 bytes
 * MIB_TCP6ROW             { DWORD State; IN6_ADDR LocalAddr; DWORD dwLocalScopeId, dwLocalPort; IN6_ADDR RemoteAddr;
 *                           DWORD dwRemoteScopeId, dwRemotePort; }                                          52 bytes
 * </pre>
 */
public final class MibTcpTables {

    public static final int ROW4_SIZE = 24;
    public static final int ROW6_SIZE = 56;
    public static final int ESTATS_ROW4_SIZE = 20;
    public static final int ESTATS_ROW6_SIZE = 52;

    /** MIB_TCP_STATE_DELETE_TCB: a socket being torn down. */
    static final int MIB_TCP_STATE_DELETE_TCB = 12;

    private MibTcpTables() {
    }

    /** One row of either table; addresses are 4 or 16 raw network-order bytes, ports already in host order. */
    public record Row(byte[] localAddress, int localScopeId, int localPort, byte[] remoteAddress, int remoteScopeId,
            int remotePort, int mibState, int pid) {

        public boolean ipv6() {
            return localAddress.length == 16;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Row r && Arrays.equals(localAddress, r.localAddress) && localScopeId == r.localScopeId
                    && localPort == r.localPort && Arrays.equals(remoteAddress, r.remoteAddress)
                    && remoteScopeId == r.remoteScopeId && remotePort == r.remotePort && mibState == r.mibState && pid == r.pid;
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(localAddress) * 31 + Arrays.hashCode(remoteAddress) + localPort * 17 + remotePort + pid;
        }

        @Override
        public String toString() {
            return "Row[" + Arrays.toString(localAddress) + ":" + localPort + " -> " + Arrays.toString(remoteAddress) + ":"
                    + remotePort + " state=" + mibState + " pid=" + pid + "]";
        }
    }

    /** Parses MIB_TCPTABLE_OWNER_PID. Throws IllegalArgumentException when the buffer is shorter than its count says. */
    public static List<Row> parseIpv4(ByteBuffer table) {
        ByteBuffer b = table.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int count = entries(b, ROW4_SIZE);
        List<Row> rows = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int state = b.getInt();
            byte[] local = bytes(b, 4);
            int localPort = port(b.getInt());
            byte[] remote = bytes(b, 4);
            int remotePort = port(b.getInt());
            int pid = b.getInt();
            rows.add(new Row(local, 0, localPort, remote, 0, remotePort, state, pid));
        }
        return rows;
    }

    /** Parses MIB_TCP6TABLE_OWNER_PID. */
    public static List<Row> parseIpv6(ByteBuffer table) {
        ByteBuffer b = table.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int count = entries(b, ROW6_SIZE);
        List<Row> rows = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] local = bytes(b, 16);
            int localScope = b.getInt();
            int localPort = port(b.getInt());
            byte[] remote = bytes(b, 16);
            int remoteScope = b.getInt();
            int remotePort = port(b.getInt());
            int state = b.getInt();
            int pid = b.getInt();
            rows.add(new Row(local, localScope, localPort, remote, remoteScope, remotePort, state, pid));
        }
        return rows;
    }

    /** The MIB_TCPROW (IPv4) or MIB_TCP6ROW (IPv6) that Get/SetPerTcp[6]ConnectionEStats take for this row. */
    public static byte[] estatsRow(Row row) {
        ByteBuffer b = ByteBuffer.allocate(row.ipv6() ? ESTATS_ROW6_SIZE : ESTATS_ROW4_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(row.mibState());
        b.put(row.localAddress());
        if (row.ipv6()) {
            b.putInt(row.localScopeId());
        }
        b.putInt(portDword(row.localPort()));
        b.put(row.remoteAddress());
        if (row.ipv6()) {
            b.putInt(row.remoteScopeId());
        }
        b.putInt(portDword(row.remotePort()));
        return b.array();
    }

    /** A port DWORD read little-endian holds the port's network-order bytes in its low 16 bits. */
    static int port(int dword) {
        return ((dword & 0xff) << 8) | ((dword >>> 8) & 0xff);
    }

    static int portDword(int port) {
        return ((port & 0xff) << 8) | ((port >>> 8) & 0xff);
    }

    /** MIB_TCP_STATE (1 CLOSED .. 12 DELETE_TCB) to the contract's state. */
    public static TcpState state(int mibState) {
        switch (mibState) {
            case 1:
            case MIB_TCP_STATE_DELETE_TCB:
                return TcpState.CLOSE;
            case 2:
                return TcpState.LISTEN;
            case 3:
                return TcpState.SYN_SENT;
            case 4:
                return TcpState.SYN_RECV;
            case 5:
                return TcpState.ESTABLISHED;
            case 6:
                return TcpState.FIN_WAIT_1;
            case 7:
                return TcpState.FIN_WAIT_2;
            case 8:
                return TcpState.CLOSE_WAIT;
            case 9:
                return TcpState.CLOSING;
            case 10:
                return TcpState.LAST_ACK;
            case 11:
                return TcpState.TIME_WAIT;
            default:
                throw new IllegalArgumentException("unknown MIB_TCP_STATE " + mibState);
        }
    }

    private static int entries(ByteBuffer b, int rowSize) {
        if (b.remaining() < 4) {
            throw new IllegalArgumentException("TCP table shorter than its 4-byte entry count: " + b.remaining() + " bytes");
        }
        long count = Integer.toUnsignedLong(b.getInt());
        if (count * rowSize > b.remaining()) {
            throw new IllegalArgumentException("TCP table says " + count + " rows of " + rowSize + " bytes but has only "
                    + b.remaining() + " bytes after the count");
        }
        return (int) count;
    }

    private static byte[] bytes(ByteBuffer b, int n) {
        byte[] out = new byte[n];
        b.get(out);
        return out;
    }
}
