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

    /** Connections per record: about 400 bytes each at most, so a record stays far below Kafka's 1 MiB default limit. */
    public static final int MAX_CONNECTIONS_PER_RECORD = 1000;

    /**
     * The snapshot as one or more records of at most {@code maxPerRecord} connections each, numbered with
     * {@code part}/{@code parts}: a host with tens of thousands of sockets would otherwise exceed Kafka's message size.
     */
    public static List<dev.fluxtap.schemas.avro.TcpStatsSnapshot> toAvroParts(TcpStatsSnapshot snapshot, String agentId, String bootId,
            int maxPerRecord) {
        dev.fluxtap.schemas.avro.TcpStatsSnapshot whole = toAvro(snapshot, agentId, bootId);
        List<TcpConnection> all = whole.getConnections();
        int parts = Math.max(1, (all.size() + maxPerRecord - 1) / maxPerRecord);
        if (parts == 1) {
            return List.of(whole);
        }
        List<dev.fluxtap.schemas.avro.TcpStatsSnapshot> out = new ArrayList<>(parts);
        for (int part = 0; part < parts; part++) {
            out.add(dev.fluxtap.schemas.avro.TcpStatsSnapshot.newBuilder(whole)
                    .setConnections(new ArrayList<>(all.subList(part * maxPerRecord, Math.min(all.size(), (part + 1) * maxPerRecord))))
                    .setPart(part).setParts(parts).build());
        }
        return out;
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
