package dev.fluxtap.agent.publish;

import dev.fluxtap.agent.tcpstats.IpAddresses;
import dev.fluxtap.agent.tcpstats.TcpConnectionStats;
import dev.fluxtap.agent.tcpstats.TcpState;
import dev.fluxtap.agent.tcpstats.TcpStatsSnapshot;
import dev.fluxtap.schemas.avro.TcpConnection;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * Maps the domain snapshot to the contract's {@code dev.fluxtap.schemas.avro.TcpStatsSnapshot} (and back, for
 * consumers and tests). Units already match: microseconds, bits per second, bytes; state names are the contract's.
 */
public final class TcpStatsAvro {

    private TcpStatsAvro() {
    }

    public static dev.fluxtap.schemas.avro.TcpStatsSnapshot toAvro(TcpStatsSnapshot snapshot, String agentId, String bootId) {
        List<TcpConnection> connections = new ArrayList<>(snapshot.connections().size());
        for (TcpConnectionStats c : snapshot.connections()) {
            connections.add(toAvro(c));
        }
        return dev.fluxtap.schemas.avro.TcpStatsSnapshot.newBuilder()
                .setHostId(snapshot.host())
                .setAgentId(agentId)
                .setBootId(bootId)
                .setTsMicros(ChronoUnit.MICROS.between(Instant.EPOCH, snapshot.time()))
                .setSource(snapshot.source())
                .setNamespacesScanned(snapshot.namespacesScanned())
                .setCollectErrors(snapshot.collectErrors())
                .setConnections(connections)
                .build();
    }

    public static TcpConnection toAvro(TcpConnectionStats c) {
        return TcpConnection.newBuilder()
                .setLocalIp(ByteBuffer.wrap(c.localAddress().getAddress()))
                .setLocalPort(c.localPort())
                .setRemoteIp(ByteBuffer.wrap(c.remoteAddress().getAddress()))
                .setRemotePort(c.remotePort())
                .setState(c.state().label())
                .setRttMicros(c.rttMicros())
                .setRttVarMicros(c.rttVarMicros())
                .setMinRttMicros(c.minRttMicros())
                .setCwndSegments(c.cwnd())
                .setSsthreshSegments(c.ssthresh())
                .setMssBytes(c.mss())
                .setRetransmitsCurrent(c.retransmitsCurrent())
                .setRetransmitsTotal(c.retransmitsTotal())
                .setLostSegments(c.lost())
                .setBytesSent(c.bytesSent())
                .setBytesAcked(c.bytesAcked())
                .setBytesReceived(c.bytesReceived())
                .setSegsIn(c.segsIn())
                .setSegsOut(c.segsOut())
                .setDeliveryRateBps(c.deliveryRateBps())
                .setPacingRateBps(c.pacingRateBps())
                .setSendQueueBytes(c.sendQueueBytes())
                .setRecvQueueBytes(c.recvQueueBytes())
                .setUid(c.uid())
                .setInode(c.inode())
                .setPid(c.pid())
                .setProcessName(c.processName())
                .setCommandLine(c.commandLine())
                .setContainerId(c.containerId())
                .setNetnsInode(c.netnsInode())
                .build();
    }

    public static TcpStatsSnapshot fromAvro(dev.fluxtap.schemas.avro.TcpStatsSnapshot avro) {
        List<TcpConnectionStats> connections = new ArrayList<>(avro.getConnections().size());
        for (TcpConnection c : avro.getConnections()) {
            connections.add(fromAvro(c));
        }
        return new TcpStatsSnapshot(avro.getHostId().toString(), Instant.EPOCH.plus(avro.getTsMicros(), ChronoUnit.MICROS),
                avro.getSource().toString(), avro.getNamespacesScanned(), avro.getCollectErrors(), connections);
    }

    public static TcpConnectionStats fromAvro(TcpConnection c) {
        return TcpConnectionStats.builder()
                .local(IpAddresses.fromBytes(bytes(c.getLocalIp())), c.getLocalPort())
                .remote(IpAddresses.fromBytes(bytes(c.getRemoteIp())), c.getRemotePort())
                .state(TcpState.parse(c.getState().toString())
                        .orElseThrow(() -> new IllegalArgumentException("unknown TCP state in record: " + c.getState())))
                .rttMicros(c.getRttMicros())
                .rttVarMicros(c.getRttVarMicros())
                .minRttMicros(c.getMinRttMicros())
                .cwnd(c.getCwndSegments())
                .ssthresh(c.getSsthreshSegments())
                .mss(c.getMssBytes())
                .retransmitsCurrent(c.getRetransmitsCurrent())
                .retransmitsTotal(c.getRetransmitsTotal())
                .lost(c.getLostSegments())
                .bytesSent(c.getBytesSent())
                .bytesAcked(c.getBytesAcked())
                .bytesReceived(c.getBytesReceived())
                .segsIn(c.getSegsIn())
                .segsOut(c.getSegsOut())
                .deliveryRateBps(c.getDeliveryRateBps())
                .pacingRateBps(c.getPacingRateBps())
                .sendQueueBytes(c.getSendQueueBytes())
                .recvQueueBytes(c.getRecvQueueBytes())
                .uid(c.getUid())
                .inode(c.getInode())
                .pid(c.getPid())
                .processName(text(c.getProcessName()))
                .commandLine(text(c.getCommandLine()))
                .containerId(text(c.getContainerId()))
                .netnsInode(c.getNetnsInode())
                .build();
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer b = buffer.duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    private static String text(CharSequence s) {
        return s == null ? null : s.toString();
    }
}
