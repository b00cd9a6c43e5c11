package dev.fluxtap.agent.tcpstats.linux;

import dev.fluxtap.agent.tcpstats.IpAddresses;
import dev.fluxtap.agent.tcpstats.TcpConnectionStats;
import dev.fluxtap.agent.tcpstats.TcpState;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses {@code /proc/net/tcp} and {@code /proc/net/tcp6}. They have fewer fields than ss: state, addresses, queues,
 * current retransmits, uid, inode, and (not for LISTEN or TIME-WAIT) cwnd and ssthresh. Addresses are printed as
 * 32-bit words in host byte order. Never throws: bad lines are counted.
 */
public final class ProcNetTcpParser {

    private static final TcpState[] STATES = {
        null, TcpState.ESTABLISHED, TcpState.SYN_SENT, TcpState.SYN_RECV, TcpState.FIN_WAIT_1, TcpState.FIN_WAIT_2,
        TcpState.TIME_WAIT, TcpState.CLOSE, TcpState.CLOSE_WAIT, TcpState.LAST_ACK, TcpState.LISTEN, TcpState.CLOSING,
        TcpState.SYN_RECV
    };

    private final boolean littleEndian;

    public ProcNetTcpParser() {
        this(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN);
    }

    ProcNetTcpParser(boolean littleEndian) {
        this.littleEndian = littleEndian;
    }

    public SsOutputParser.Result parse(String content, String fileName) {
        List<TcpConnectionStats> out = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        int malformed = 0;
        String[] lines = content.split("\n");
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n].strip();
            if (line.isEmpty() || line.startsWith("sl")) {
                continue;
            }
            try {
                out.add(parseLine(line));
            } catch (RuntimeException e) {
                malformed++;
                if (problems.size() < SsOutputParser.MAX_PROBLEMS) {
                    problems.add(fileName + " line " + (n + 1) + ": " + e.getMessage());
                }
            }
        }
        return new SsOutputParser.Result(out, malformed, problems);
    }

    private TcpConnectionStats parseLine(String line) {
        String[] f = line.split("\\s+");
        if (f.length < 10) {
            throw new IllegalArgumentException("expected at least 10 fields, got " + f.length);
        }
        int stateCode = Integer.parseInt(f[3], 16);
        if (stateCode <= 0 || stateCode >= STATES.length) {
            throw new IllegalArgumentException("unknown state code " + f[3]);
        }
        TcpState state = STATES[stateCode];
        TcpConnectionStats.Builder b = TcpConnectionStats.builder().state(state);
        int[] local = endpoint(f[1]);
        int[] remote = endpoint(f[2]);
        b.local(IpAddresses.fromBytes(address(f[1])), local[0]).remote(IpAddresses.fromBytes(address(f[2])), remote[0]);
        int colon = f[4].indexOf(':');
        b.sendQueueBytes(Long.parseLong(f[4], 0, colon, 16));
        b.recvQueueBytes(Long.parseLong(f[4], colon + 1, f[4].length(), 16));
        b.retransmitsCurrent(Integer.parseInt(f[6], 16));
        b.uid(Integer.parseInt(f[7]));
        long inode = Long.parseLong(f[9]);
        b.inode(inode == 0 ? null : inode);
        // Fields after the pointer: rto, ato, quick/pingpong, cwnd, ssthresh (-1 while in initial slow start).
        if (state != TcpState.LISTEN && state != TcpState.TIME_WAIT && f.length >= 17) {
            b.cwnd(Integer.parseInt(f[15]));
            int ssthresh = Integer.parseInt(f[16]);
            b.ssthresh(ssthresh < 0 ? null : ssthresh);
        }
        return b.build();
    }

    private static int[] endpoint(String field) {
        int colon = field.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("address without port: '" + field + "'");
        }
        return new int[] {Integer.parseInt(field, colon + 1, field.length(), 16)};
    }

    private byte[] address(String field) {
        int colon = field.indexOf(':');
        if (colon != 8 && colon != 32) {
            throw new IllegalArgumentException("address must have 8 or 32 hex digits: '" + field + "'");
        }
        byte[] out = new byte[colon / 2];
        for (int word = 0; word < colon / 8; word++) {
            long value = Long.parseLong(field, word * 8, word * 8 + 8, 16);
            for (int k = 0; k < 4; k++) {
                int shift = littleEndian ? 8 * k : 8 * (3 - k);
                out[word * 4 + k] = (byte) (value >>> shift);
            }
        }
        return out;
    }
}
