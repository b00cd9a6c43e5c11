package dev.fluxtap.aggregator.decode;

import dev.fluxtap.schemas.AvroCodec;
import dev.fluxtap.schemas.AvroDecodeException;
import dev.fluxtap.schemas.FluxtapSchemas;
import dev.fluxtap.schemas.avro.AgentStatus;
import dev.fluxtap.schemas.avro.InterfaceStatus;
import dev.fluxtap.schemas.avro.PacketBatch;
import dev.fluxtap.schemas.avro.PacketSummary;
import dev.fluxtap.schemas.avro.TcpConnection;
import dev.fluxtap.schemas.avro.TcpStatsSnapshot;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the bytes of the input topics into the aggregator's own types. The generated Avro classes stay inside this
 * class. A record that decodes but breaks the contract (an address that is neither 4 nor 16 bytes) is refused like a
 * corrupt one, so it goes to the deadletter topic instead of into a flow.
 */
public final class RecordDecoder {

    private static final int HEADER = 10;
    private static final long CURRENT_PACKET_BATCH = FluxtapSchemas.fingerprint(PacketBatch.getClassSchema());

    private final AvroCodec<PacketBatch> packets = AvroCodec.of(FluxtapSchemas.PACKET_BATCH);
    private final AvroCodec<TcpStatsSnapshot> tcpStats = AvroCodec.of(FluxtapSchemas.TCP_STATS_SNAPSHOT);
    private final AvroCodec<AgentStatus> agents = AvroCodec.of(FluxtapSchemas.AGENT_STATUS);

    /**
     * Decodes a PacketBatch. Data written with the current schema (the common case) is read field by field straight
     * into columns, without building the generated objects; any other released version goes through the codec's
     * schema resolution.
     */
    public SummaryBatch packets(byte[] bytes) throws AvroDecodeException {
        if (bytes != null && bytes.length >= HEADER && bytes[0] == (byte) 0xC3 && bytes[1] == 0x01
                && ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong() == CURRENT_PACKET_BATCH) {
            try {
                return packetsDirect(bytes);
            } catch (IOException | RuntimeException e) {
                throw new AvroDecodeException(AvroDecodeException.Reason.CORRUPT_BODY,
                        "corrupt PacketBatch body (" + bytes.length + " bytes): " + e, e);
            }
        }
        return packetsResolved(bytes);
    }

    private static SummaryBatch packetsDirect(byte[] bytes) throws IOException, AvroDecodeException {
        BinaryDecoder d = DecoderFactory.get().binaryDecoder(bytes, HEADER, bytes.length - HEADER, null);
        String agentId = d.readString();
        String bootId = d.readString();
        int partition = d.readInt();
        long sequence = d.readLong();
        long created = d.readLong();
        List<String> interfaces = new ArrayList<>();
        for (long n = d.readArrayStart(); n != 0; n = d.arrayNext()) {
            for (long i = 0; i < n; i++) {
                interfaces.add(d.readString());
            }
        }
        SummaryBatch.Builder b = null;
        ByteBuffer src = null, dst = null;
        int index = 0;
        for (long n = d.readArrayStart(); n != 0; n = d.arrayNext()) {
            if (b == null) {
                b = SummaryBatch.builder(agentId, bootId, partition, sequence, (int) Math.min(n, 1 << 16)).createdMicros(created)
                        .interfaces(interfaces);
            }
            for (long i = 0; i < n; i++, index++) {
                long ts = d.readLong();
                d.readInt(); // ifIndex
                int version = d.readInt();
                int protocol = d.readInt();
                src = d.readBytes(src);
                dst = d.readBytes(dst);
                int srcPort = d.readInt();
                int dstPort = d.readInt();
                int ipBytes = d.readInt();
                d.readInt(); // ttl
                int flags = d.readInt();
                long seq = d.readLong();
                d.readLong(); // tcpAck
                d.readInt(); // tcpWindow
                int payload = d.readInt();
                d.readInt(); // fragment
                d.readInt(); // vlanId
                checkAddresses(agentId, sequence, index, version, src, dst);
                b.add(ts, version, protocol, IpAddresses.hi(src), IpAddresses.lo(src), IpAddresses.hi(dst), IpAddresses.lo(dst), srcPort,
                        dstPort, ipBytes, flags, seq, payload);
            }
        }
        if (b == null) {
            b = SummaryBatch.builder(agentId, bootId, partition, sequence, 1).createdMicros(created).interfaces(interfaces);
        }
        return b.build();
    }

    private static void checkAddresses(String agentId, long sequence, int index, int version, ByteBuffer src, ByteBuffer dst)
            throws AvroDecodeException {
        int expected = version == 4 ? 4 : version == 6 ? 16 : -1;
        if (src.remaining() != expected || dst.remaining() != expected) {
            throw new AvroDecodeException(AvroDecodeException.Reason.CORRUPT_BODY, "packet " + index + " of batch " + sequence
                    + " from " + agentId + ": ipVersion " + version + " with " + src.remaining() + "/" + dst.remaining()
                    + "-byte addresses", null);
        }
    }

    /** The general path: any released writer version, resolved to the current schema by the codec. */
    SummaryBatch packetsResolved(byte[] bytes) throws AvroDecodeException {
        PacketBatch batch = packets.decode(bytes);
        List<PacketSummary> list = batch.getPackets();
        SummaryBatch.Builder b = SummaryBatch.builder(batch.getAgentId(), batch.getBootId(), batch.getPartition(), batch.getSequence(),
                list.size()).createdMicros(batch.getCreatedMicros()).interfaces(batch.getInterfaces());
        for (int i = 0; i < list.size(); i++) {
            PacketSummary p = list.get(i);
            ByteBuffer src = p.getSrcIp();
            ByteBuffer dst = p.getDstIp();
            int version = p.getIpVersion();
            checkAddresses(batch.getAgentId(), batch.getSequence(), i, version, src, dst);
            b.add(p.getTsMicros(), version, p.getProtocol(), IpAddresses.hi(src), IpAddresses.lo(src), IpAddresses.hi(dst),
                    IpAddresses.lo(dst), p.getSrcPort(), p.getDstPort(), p.getIpBytes(), p.getTcpFlags(), p.getTcpSeq(), p.getPayloadBytes());
        }
        return b.build();
    }

    public TcpSnapshot tcpStats(byte[] bytes) throws AvroDecodeException {
        TcpStatsSnapshot s = tcpStats.decode(bytes);
        List<SocketStats> sockets = new ArrayList<>(s.getConnections().size());
        for (TcpConnection c : s.getConnections()) {
            int l = c.getLocalIp().remaining(), r = c.getRemoteIp().remaining();
            if ((l != 4 && l != 16) || (r != 4 && r != 16)) {
                throw new AvroDecodeException(AvroDecodeException.Reason.CORRUPT_BODY, "TCP stats of " + s.getHostId()
                        + ": a connection address has " + l + "/" + r + " bytes (expected 4 or 16)", null);
            }
            sockets.add(new SocketStats(IpAddresses.text(c.getLocalIp()), c.getLocalPort(), IpAddresses.text(c.getRemoteIp()),
                    c.getRemotePort(), c.getState(), c.getRttMicros(), c.getCwndSegments(), c.getRetransmitsTotal(), c.getPid(),
                    c.getProcessName(), c.getContainerId()));
        }
        return new TcpSnapshot(s.getHostId(), s.getAgentId(), s.getBootId(), s.getTsMicros(), s.getSource(), s.getCollectErrors(), sockets,
                s.getPart(), s.getParts());
    }

    public AgentReport agentStatus(byte[] bytes) throws AvroDecodeException {
        AgentStatus a = agents.decode(bytes);
        long kernelDrops = 0, interfaceDrops = 0;
        List<String> names = new ArrayList<>();
        for (InterfaceStatus i : a.getInterfaces()) {
            kernelDrops += i.getKernelDrops();
            interfaceDrops += i.getInterfaceDrops();
            names.add(i.getName());
        }
        return new AgentReport(a.getAgentId(), a.getBootId(), a.getHostId(), a.getVersion(), a.getTsMicros(), a.getStartedMicros(),
                names, a.getPacketsCaptured(), a.getPacketsDecoded(), kernelDrops, interfaceDrops, a.getQueueDrops(), a.getBatchesLost(),
                a.getSendFailures(), a.getBatchesSent(), a.getSummariesSent(), a.getMalformed());
    }
}
