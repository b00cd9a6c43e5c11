package dev.fluxtap.agent.tcpstats;

import java.net.InetAddress;
import java.util.Objects;

/**
 * One TCP socket as the kernel reports it. Counters are cumulative for the socket's life, passed through as the
 * kernel gives them so that consumers compute deltas. A null field means the source does not know the value.
 * Times are microseconds, rates bits per second, queues bytes.
 */
public record TcpConnectionStats(
        InetAddress localAddress,
        int localPort,
        InetAddress remoteAddress,
        int remotePort,
        TcpState state,
        Long rttMicros,
        Long rttVarMicros,
        Long minRttMicros,
        Integer cwnd,
        Integer ssthresh,
        Integer mss,
        Integer retransmitsCurrent,
        Long retransmitsTotal,
        Long lost,
        Long bytesSent,
        Long bytesAcked,
        Long bytesReceived,
        Long segsIn,
        Long segsOut,
        Long deliveryRateBps,
        Long pacingRateBps,
        Long sendQueueBytes,
        Long recvQueueBytes,
        Integer uid,
        Long inode,
        Integer pid,
        String processName,
        String commandLine,
        String containerId,
        Long netnsInode) {

    public TcpConnectionStats {
        Objects.requireNonNull(localAddress, "localAddress");
        Objects.requireNonNull(remoteAddress, "remoteAddress");
        Objects.requireNonNull(state, "state");
        if (localPort < 0 || localPort > 65535 || remotePort < 0 || remotePort > 65535) {
            throw new IllegalArgumentException("port out of range: " + localPort + " / " + remotePort);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** True when the local or the remote port is in [from, to]. */
    public boolean hasPortIn(int from, int to) {
        return (localPort >= from && localPort <= to) || (remotePort >= from && remotePort <= to);
    }

    /** Mutable builder for parsers, which learn the fields one token at a time. */
    public static final class Builder {
        private InetAddress localAddress;
        private int localPort;
        private InetAddress remoteAddress;
        private int remotePort;
        private TcpState state;
        private Long rttMicros;
        private Long rttVarMicros;
        private Long minRttMicros;
        private Integer cwnd;
        private Integer ssthresh;
        private Integer mss;
        private Integer retransmitsCurrent;
        private Long retransmitsTotal;
        private Long lost;
        private Long bytesSent;
        private Long bytesAcked;
        private Long bytesReceived;
        private Long segsIn;
        private Long segsOut;
        private Long deliveryRateBps;
        private Long pacingRateBps;
        private Long sendQueueBytes;
        private Long recvQueueBytes;
        private Integer uid;
        private Long inode;
        private Integer pid;
        private String processName;
        private String commandLine;
        private String containerId;
        private Long netnsInode;

        private Builder() {
        }

        private Builder(TcpConnectionStats s) {
            localAddress = s.localAddress;
            localPort = s.localPort;
            remoteAddress = s.remoteAddress;
            remotePort = s.remotePort;
            state = s.state;
            rttMicros = s.rttMicros;
            rttVarMicros = s.rttVarMicros;
            minRttMicros = s.minRttMicros;
            cwnd = s.cwnd;
            ssthresh = s.ssthresh;
            mss = s.mss;
            retransmitsCurrent = s.retransmitsCurrent;
            retransmitsTotal = s.retransmitsTotal;
            lost = s.lost;
            bytesSent = s.bytesSent;
            bytesAcked = s.bytesAcked;
            bytesReceived = s.bytesReceived;
            segsIn = s.segsIn;
            segsOut = s.segsOut;
            deliveryRateBps = s.deliveryRateBps;
            pacingRateBps = s.pacingRateBps;
            sendQueueBytes = s.sendQueueBytes;
            recvQueueBytes = s.recvQueueBytes;
            uid = s.uid;
            inode = s.inode;
            pid = s.pid;
            processName = s.processName;
            commandLine = s.commandLine;
            containerId = s.containerId;
            netnsInode = s.netnsInode;
        }

        public Builder local(InetAddress address, int port) {
            localAddress = address;
            localPort = port;
            return this;
        }

        public Builder remote(InetAddress address, int port) {
            remoteAddress = address;
            remotePort = port;
            return this;
        }

        public Builder state(TcpState v) { state = v; return this; }
        public Builder rttMicros(Long v) { rttMicros = v; return this; }
        public Builder rttVarMicros(Long v) { rttVarMicros = v; return this; }
        public Builder minRttMicros(Long v) { minRttMicros = v; return this; }
        public Builder cwnd(Integer v) { cwnd = v; return this; }
        public Builder ssthresh(Integer v) { ssthresh = v; return this; }
        public Builder mss(Integer v) { mss = v; return this; }
        public Builder retransmitsCurrent(Integer v) { retransmitsCurrent = v; return this; }
        public Builder retransmitsTotal(Long v) { retransmitsTotal = v; return this; }
        public Builder lost(Long v) { lost = v; return this; }
        public Builder bytesSent(Long v) { bytesSent = v; return this; }
        public Builder bytesAcked(Long v) { bytesAcked = v; return this; }
        public Builder bytesReceived(Long v) { bytesReceived = v; return this; }
        public Builder segsIn(Long v) { segsIn = v; return this; }
        public Builder segsOut(Long v) { segsOut = v; return this; }
        public Builder deliveryRateBps(Long v) { deliveryRateBps = v; return this; }
        public Builder pacingRateBps(Long v) { pacingRateBps = v; return this; }
        public Builder sendQueueBytes(Long v) { sendQueueBytes = v; return this; }
        public Builder recvQueueBytes(Long v) { recvQueueBytes = v; return this; }
        public Builder uid(Integer v) { uid = v; return this; }
        public Builder inode(Long v) { inode = v; return this; }
        public Builder pid(Integer v) { pid = v; return this; }
        public Builder processName(String v) { processName = v; return this; }
        public Builder commandLine(String v) { commandLine = v; return this; }
        public Builder containerId(String v) { containerId = v; return this; }
        public Builder netnsInode(Long v) { netnsInode = v; return this; }

        public Integer uid() { return uid; }
        public Long inode() { return inode; }
        public Integer pid() { return pid; }

        public TcpConnectionStats build() {
            return new TcpConnectionStats(localAddress, localPort, remoteAddress, remotePort, state, rttMicros, rttVarMicros,
                    minRttMicros, cwnd, ssthresh, mss, retransmitsCurrent, retransmitsTotal, lost, bytesSent, bytesAcked,
                    bytesReceived, segsIn, segsOut, deliveryRateBps, pacingRateBps, sendQueueBytes, recvQueueBytes, uid,
                    inode, pid, processName, commandLine, containerId, netnsInode);
        }
    }
}
