package dev.fluxtap.aggregator.decode;

import dev.fluxtap.schemas.AvroCodec;
import dev.fluxtap.schemas.AvroDecodeException;
import dev.fluxtap.schemas.FluxtapSchemas;
import dev.fluxtap.schemas.PacketColumnsLayout;
import dev.fluxtap.schemas.avro.AgentStatus;
import dev.fluxtap.schemas.avro.InterfaceStatus;
import dev.fluxtap.schemas.avro.PacketBatch;
import dev.fluxtap.schemas.avro.PacketColumns;
import dev.fluxtap.schemas.avro.PacketSummary;
import dev.fluxtap.schemas.avro.TcpConnection;
import dev.fluxtap.schemas.avro.TcpStatsSnapshot;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns the bytes of the input topics into the aggregator's own types. The generated Avro classes stay inside this
 * class. A record that decodes but breaks the contract (an address that is neither 4 nor 16 bytes) is refused like a
 * corrupt one, so it goes to the deadletter topic instead of into a flow.
 */
public final class RecordDecoder {

    private static final int HEADER = 10;
    private static final long CURRENT_PACKET_BATCH = FluxtapSchemas.fingerprint(PacketBatch.getClassSchema());
    private static final long CURRENT_PACKET_COLUMNS = FluxtapSchemas.fingerprint(PacketColumns.getClassSchema());
    private static final VarHandle LITTLE_ENDIAN_LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LITTLE_ENDIAN_INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LITTLE_ENDIAN_SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    /** The shortest PacketSummary: 15 one-byte numbers and two empty byte strings (each a one-byte length). */
    private static final int MIN_SUMMARY_BYTES = 17;

    /** Agent ids shared across batches, at most this many (past it, each batch keeps its own copy). */
    static final int MAX_SHARED_AGENT_IDS = 100_000;

    private final AvroCodec<PacketBatch> packets = AvroCodec.of(FluxtapSchemas.PACKET_BATCH);
    /**
     * One String per agent id for every batch of that agent: flows, their observers and the per-agent counters keep
     * the id of the batch that created them, and with one copy per batch they held thousands of equal strings, each
     * read cold when hashed or compared.
     */
    private final ConcurrentHashMap<String, String> agentIds = new ConcurrentHashMap<>();
    private final AvroCodec<TcpStatsSnapshot> tcpStats = AvroCodec.of(FluxtapSchemas.TCP_STATS_SNAPSHOT);
    private final AvroCodec<AgentStatus> agents = AvroCodec.of(FluxtapSchemas.AGENT_STATUS);

    /**
     * Decodes a record of the packets topic: a PacketBatch (summaries as rows) or a PacketColumns (the same batch column
     * by column, what agents write by default). Data written with the current schema of either (the common case) is
     * read straight into columns, with {@link AvroBinaryReader} for the Avro parts, without Avro's decoder or the
     * generated objects; any other released PacketBatch version goes through the codec's schema resolution. All paths
     * ignore bytes after the record, as Avro's decoders do.
     */
    public SummaryBatch packets(byte[] bytes) throws AvroDecodeException {
        return packets(bytes, null);
    }

    private SummaryBatch packets(byte[] bytes, SummaryBatch.Builder columns) throws AvroDecodeException {
        return bytes == null ? packetsResolved(null) : packets(bytes, 0, bytes.length, columns);
    }

    /**
     * Decodes a PacketBatch from a record value as the consumer hands it over ({@code ByteBufferDeserializer}): read in
     * place, where a {@code byte[]} value would be a copy of the record (36 KB for 1000 summaries) made for every record.
     * The buffer's position is left as it is. A current-schema record is decoded into {@code columns}, restarted (see
     * {@link SummaryBatch.Builder#restart}): the batch returned before from them is then no longer valid.
     */
    public SummaryBatch packets(ByteBuffer value, SummaryBatch.Builder columns) throws AvroDecodeException {
        if (value != null && value.hasArray()) {
            return packets(value.array(), value.arrayOffset() + value.position(), value.remaining(), columns);
        }
        return packets(bytes(value), columns);
    }

    /** Columns for {@link #packets(ByteBuffer, SummaryBatch.Builder)}, sized for {@code summaries} per batch. */
    public static SummaryBatch.Builder columns(int summaries) {
        return SummaryBatch.builder("", "", 0, 0, summaries);
    }

    private SummaryBatch packets(byte[] buf, int offset, int length, SummaryBatch.Builder columns) throws AvroDecodeException {
        if (length >= HEADER && buf[offset] == (byte) 0xC3 && buf[offset + 1] == 0x01) {
            long fingerprint = (long) LITTLE_ENDIAN_LONG.get(buf, offset + 2);
            boolean rows = fingerprint == CURRENT_PACKET_BATCH;
            if (rows || fingerprint == CURRENT_PACKET_COLUMNS) {
                try {
                    return rows ? packetsDirect(buf, offset, offset + length, columns) : packetColumns(buf, offset, offset + length, columns);
                } catch (RuntimeException e) {
                    // Avro's string and collection limits; anything else would be a bug of the reader, still not a crash.
                    throw new AvroDecodeException(AvroDecodeException.Reason.CORRUPT_BODY, "corrupt " + (rows ? "PacketBatch" : "PacketColumns")
                            + " body (" + length + " bytes): " + e, e);
                }
            }
        }
        return packetsResolved(offset == 0 && length == buf.length ? buf : Arrays.copyOfRange(buf, offset, offset + length));
    }

    /** The one shared copy of an agent id (see {@link #agentIds}). */
    private String shared(String agentId) {
        String known = agentIds.get(agentId);
        if (known != null) {
            return known;
        }
        if (agentIds.size() >= MAX_SHARED_AGENT_IDS) {
            return agentId;
        }
        known = agentIds.putIfAbsent(agentId, agentId);
        return known == null ? agentId : known;
    }

    /** The bytes of a record value (a copy), or null for a null value (a tombstone). */
    public static byte[] bytes(ByteBuffer value) {
        if (value == null) {
            return null;
        }
        byte[] out = new byte[value.remaining()];
        value.duplicate().get(out);
        return out;
    }

    /** Reads the fields in the order of PacketBatch.avsc and PacketSummary.avsc (DirectPacketDecodingTest checks it). */
    private SummaryBatch packetsDirect(byte[] bytes, int start, int recordEnd, SummaryBatch.Builder columns) throws AvroDecodeException {
        AvroBinaryReader r = new AvroBinaryReader(bytes, start, recordEnd, HEADER, "PacketBatch");
        BatchHead h = readHead(r);
        SummaryBatch.Builder b = null;
        int index = 0;
        for (int n = r.readBlockCount(0, MIN_SUMMARY_BYTES); n != 0; n = r.readBlockCount(index, MIN_SUMMARY_BYTES)) {
            if (b == null) {
                b = start(columns, h, n);
            }
            for (int end = index + n; index < end; index++) {
                long ts = r.readLong();
                r.skipInt(); // ifIndex
                int version = r.readInt();
                int protocol = r.readInt();
                int srcLength = r.readLength("srcIp");
                int src = r.skip(srcLength);
                int dstLength = r.readLength("dstIp");
                int dst = r.skip(dstLength);
                int srcPort = r.readInt();
                int dstPort = r.readInt();
                int ipBytes = r.readInt();
                r.skipInt(); // ttl
                int flags = r.readInt();
                long seq = r.readLong();
                r.skipLong(); // tcpAck
                r.skipInt(); // tcpWindow
                int payload = r.readInt();
                r.skipInt(); // fragment
                r.skipInt(); // vlanId
                checkAddresses(h.agentId(), h.sequence(), index, version, srcLength, dstLength);
                b.add(ts, version, protocol, IpAddresses.hi(bytes, src, srcLength), IpAddresses.lo(bytes, src, srcLength),
                        IpAddresses.hi(bytes, dst, dstLength), IpAddresses.lo(bytes, dst, dstLength), srcPort, dstPort, ipBytes, flags, seq,
                        payload);
            }
        }
        if (b == null) {
            b = start(columns, h, 1);
        }
        return b.build();
    }

    /** The fields PacketBatch and PacketColumns both start with, in the same order. */
    private record BatchHead(String agentId, String bootId, int partition, long sequence, long createdMicros, List<String> interfaces) {
    }

    private BatchHead readHead(AvroBinaryReader r) throws AvroDecodeException {
        String agentId = shared(r.readString());
        String bootId = r.readString();
        int partition = r.readInt();
        long sequence = r.readLong();
        long created = r.readLong();
        List<String> interfaces = new ArrayList<>();
        for (int n = r.readBlockCount(0, 1); n != 0; n = r.readBlockCount(interfaces.size(), 1)) {
            for (int i = 0; i < n; i++) {
                interfaces.add(r.readString());
            }
        }
        return new BatchHead(agentId, bootId, partition, sequence, created, interfaces);
    }

    /**
     * Reads a PacketColumns record in the order of PacketColumns.avsc (PacketColumnsDecodingTest checks it): every column's
     * length is checked against the count and its width before any value is read, and so are the versions that set the
     * address widths, so the loop reads fixed-width values in place without a check per value.
     */
    private SummaryBatch packetColumns(byte[] bytes, int start, int recordEnd, SummaryBatch.Builder columns) throws AvroDecodeException {
        AvroBinaryReader r = new AvroBinaryReader(bytes, start, recordEnd, HEADER, "PacketColumns");
        BatchHead h = readHead(r);
        int n = r.readInt();
        if (n < 0) {
            throw r.corrupt("negative count " + n);
        }
        int ts = column(r, n, PacketColumnsLayout.TS_MICROS, "tsMicros");
        column(r, n, PacketColumnsLayout.IF_INDEX, "ifIndex");
        int versions = column(r, n, PacketColumnsLayout.IP_VERSION, "ipVersion");
        int protocols = column(r, n, PacketColumnsLayout.PROTOCOL, "protocol");
        int srcLength = r.readLength("srcIp");
        int src = r.skip(srcLength);
        int dstLength = r.readLength("dstIp");
        int dst = r.skip(dstLength);
        int srcPorts = column(r, n, PacketColumnsLayout.SRC_PORT, "srcPort");
        int dstPorts = column(r, n, PacketColumnsLayout.DST_PORT, "dstPort");
        int ipBytes = column(r, n, PacketColumnsLayout.IP_BYTES, "ipBytes");
        column(r, n, PacketColumnsLayout.TTL, "ttl");
        int flags = column(r, n, PacketColumnsLayout.TCP_FLAGS, "tcpFlags");
        int seqs = column(r, n, PacketColumnsLayout.TCP_SEQ, "tcpSeq");
        column(r, n, PacketColumnsLayout.TCP_ACK, "tcpAck");
        column(r, n, PacketColumnsLayout.TCP_WINDOW, "tcpWindow");
        int payloads = column(r, n, PacketColumnsLayout.PAYLOAD_BYTES, "payloadBytes");
        column(r, n, PacketColumnsLayout.FRAGMENT, "fragment");
        column(r, n, PacketColumnsLayout.VLAN_ID, "vlanId");
        long addressBytes = addressColumnBytes(bytes, versions, n);
        if (addressBytes < 0) {
            int i = (int) (-addressBytes - 1);
            throw r.corrupt("summary " + i + " of batch " + h.sequence() + " from " + h.agentId() + " has ipVersion " + bytes[versions + i]);
        }
        if (srcLength != addressBytes || dstLength != addressBytes) {
            throw r.corrupt("address columns of " + srcLength + "/" + dstLength + " bytes where the versions need " + addressBytes);
        }
        SummaryBatch.Builder b = start(columns, h, Math.max(1, n));
        if (!fill(b, bytes, n, ts, versions, protocols, src, dst, srcPorts, dstPorts, ipBytes, flags, seqs, payloads)) {
            throw r.corrupt("a negative ipBytes or payloadBytes in batch " + h.sequence() + " from " + h.agentId());
        }
        return b.build();
    }

    /**
     * The bytes the versions give each address column, or -1 - i when summary i has a version that is neither 4 nor 6. A
     * method of its own, as {@link #fill} is.
     */
    private static long addressColumnBytes(byte[] bytes, int versions, int n) {
        long total = 0;
        for (int i = 0; i < n; i++) {
            int width = PacketColumnsLayout.addressBytes(bytes[versions + i]);
            if (width < 0) {
                return -1 - i;
            }
            total += width;
        }
        return total;
    }

    /**
     * Adds the {@code n} summaries of checked columns starting at the given offsets; false if an ipBytes or payloadBytes
     * is negative. A method of its own: inlined into {@link #packetColumns} after the 17 column reads, the JIT's inlining
     * budget ran out before the builder's {@code add} and the value reads, which then stayed calls (23 ns per summary
     * instead of 14 in bench/columnar.sh).
     */
    private static boolean fill(SummaryBatch.Builder b, byte[] bytes, int n, int ts, int versions, int protocols, int src, int dst,
                                int srcPorts, int dstPorts, int ipBytes, int flags, int seqs, int payloads) {
        int negative = 0;
        for (int i = 0; i < n; i++) {
            int version = bytes[versions + i];
            int width = version == 4 ? 4 : 16;
            int length = (int) LITTLE_ENDIAN_INT.get(bytes, ipBytes + 4 * i);
            int payload = (int) LITTLE_ENDIAN_INT.get(bytes, payloads + 4 * i);
            negative |= length | payload;
            b.add((long) LITTLE_ENDIAN_LONG.get(bytes, ts + 8 * i), version, bytes[protocols + i] & 0xFF,
                    IpAddresses.hi(bytes, src, width), IpAddresses.lo(bytes, src, width), IpAddresses.hi(bytes, dst, width),
                    IpAddresses.lo(bytes, dst, width), (short) LITTLE_ENDIAN_SHORT.get(bytes, srcPorts + 2 * i) & 0xFFFF,
                    (short) LITTLE_ENDIAN_SHORT.get(bytes, dstPorts + 2 * i) & 0xFFFF, length, bytes[flags + i] & 0xFF,
                    (int) LITTLE_ENDIAN_INT.get(bytes, seqs + 4 * i) & 0xFFFF_FFFFL, payload);
            src += width;
            dst += width;
        }
        return negative >= 0;
    }

    /** Where a fixed-width column of {@code n} values starts, after checking its length. */
    private static int column(AvroBinaryReader r, int n, int width, String name) throws AvroDecodeException {
        int length = r.readLength(name);
        if (length != (long) n * width) {
            throw r.corrupt("column " + name + " of " + length + " bytes for " + n + " summaries of " + width);
        }
        return r.skip(length);
    }

    private static SummaryBatch.Builder start(SummaryBatch.Builder columns, BatchHead h, int capacity) {
        SummaryBatch.Builder b = columns == null ? SummaryBatch.builder(h.agentId(), h.bootId(), h.partition(), h.sequence(), capacity)
                : columns.restart(h.agentId(), h.bootId(), h.partition(), h.sequence(), capacity);
        return b.createdMicros(h.createdMicros()).interfaces(h.interfaces());
    }

    private static void checkAddresses(String agentId, long sequence, int index, int version, int srcLength, int dstLength)
            throws AvroDecodeException {
        int expected = version == 4 ? 4 : version == 6 ? 16 : -1;
        if (srcLength != expected || dstLength != expected) {
            throw new AvroDecodeException(AvroDecodeException.Reason.CORRUPT_BODY, "packet " + index + " of batch " + sequence
                    + " from " + agentId + ": ipVersion " + version + " with " + srcLength + "/" + dstLength
                    + "-byte addresses", null);
        }
    }

    /** The general path: any released writer version, resolved to the current schema by the codec. */
    SummaryBatch packetsResolved(byte[] bytes) throws AvroDecodeException {
        PacketBatch batch = packets.decode(bytes);
        List<PacketSummary> list = batch.getPackets();
        SummaryBatch.Builder b = SummaryBatch.builder(shared(batch.getAgentId()), batch.getBootId(), batch.getPartition(), batch.getSequence(),
                list.size()).createdMicros(batch.getCreatedMicros()).interfaces(batch.getInterfaces());
        for (int i = 0; i < list.size(); i++) {
            PacketSummary p = list.get(i);
            ByteBuffer src = p.getSrcIp();
            ByteBuffer dst = p.getDstIp();
            int version = p.getIpVersion();
            checkAddresses(batch.getAgentId(), batch.getSequence(), i, version, src.remaining(), dst.remaining());
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
