package dev.fluxtap.agent.publish;

import dev.fluxtap.agent.config.WireFormat;
import dev.fluxtap.schemas.AvroBinaryWriter;
import dev.fluxtap.schemas.AvroCodec;
import dev.fluxtap.schemas.AvroDecodeException;
import dev.fluxtap.schemas.FluxtapSchemas;
import dev.fluxtap.schemas.avro.PacketBatch;
import dev.fluxtap.schemas.avro.PacketColumns;
import dev.fluxtap.schemas.avro.PacketSummary;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * Reads a {@code fluxtap.packets.v1} record value of either wire format with the contract codec (Avro's generic
 * decoder) as a {@link PacketBatch}, columns turned back into rows, for tests that check what the agent published.
 * It reads the columns on its own (ByteBuffer, little-endian), independently of the agent's encoder.
 */
public final class PublishedBatches {

    private static final byte[] COLUMNS_HEADER = AvroBinaryWriter.singleObjectHeader(PacketColumns.getClassSchema());
    private static final byte[] ROWS_HEADER = AvroBinaryWriter.singleObjectHeader(PacketBatch.getClassSchema());
    private static final AvroCodec<PacketColumns> COLUMNS = AvroCodec.of(FluxtapSchemas.PACKET_COLUMNS);
    private static final AvroCodec<PacketBatch> ROWS = AvroCodec.of(FluxtapSchemas.PACKET_BATCH);

    private PublishedBatches() {
    }

    /** The wire format by the schema fingerprint in the value's header; anything else fails the test. */
    public static WireFormat formatOf(byte[] value) {
        if (Arrays.equals(value, 0, COLUMNS_HEADER.length, COLUMNS_HEADER, 0, COLUMNS_HEADER.length)) {
            return WireFormat.COLUMNS;
        }
        if (Arrays.equals(value, 0, ROWS_HEADER.length, ROWS_HEADER, 0, ROWS_HEADER.length)) {
            return WireFormat.ROWS;
        }
        throw new AssertionError("neither a current PacketColumns nor a PacketBatch: header "
                + HexFormat.of().formatHex(value, 0, Math.min(value.length, ROWS_HEADER.length)));
    }

    public static PacketBatch decode(byte[] value) throws AvroDecodeException {
        return switch (formatOf(value)) {
            case COLUMNS -> toRows(COLUMNS.decode(value));
            case ROWS -> ROWS.decode(value);
        };
    }

    /** The batch the columns hold; fails when a column holds more or fewer values than {@code count}. */
    static PacketBatch toRows(PacketColumns c) {
        int n = c.getCount();
        ByteBuffer tsMicros = column(c.getTsMicros(), n, 8, "tsMicros");
        ByteBuffer ifIndex = column(c.getIfIndex(), n, 2, "ifIndex");
        ByteBuffer ipVersion = column(c.getIpVersion(), n, 1, "ipVersion");
        ByteBuffer protocol = column(c.getProtocol(), n, 1, "protocol");
        ByteBuffer srcIp = c.getSrcIp().duplicate();
        ByteBuffer dstIp = c.getDstIp().duplicate();
        ByteBuffer srcPort = column(c.getSrcPort(), n, 2, "srcPort");
        ByteBuffer dstPort = column(c.getDstPort(), n, 2, "dstPort");
        ByteBuffer ipBytes = column(c.getIpBytes(), n, 4, "ipBytes");
        ByteBuffer ttl = column(c.getTtl(), n, 1, "ttl");
        ByteBuffer tcpFlags = column(c.getTcpFlags(), n, 1, "tcpFlags");
        ByteBuffer tcpSeq = column(c.getTcpSeq(), n, 4, "tcpSeq");
        ByteBuffer tcpAck = column(c.getTcpAck(), n, 4, "tcpAck");
        ByteBuffer tcpWindow = column(c.getTcpWindow(), n, 2, "tcpWindow");
        ByteBuffer payloadBytes = column(c.getPayloadBytes(), n, 4, "payloadBytes");
        ByteBuffer fragment = column(c.getFragment(), n, 1, "fragment");
        ByteBuffer vlanId = column(c.getVlanId(), n, 2, "vlanId");
        List<PacketSummary> packets = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int version = ipVersion.get() & 0xFF;
            if (version != 4 && version != 6) {
                throw new AssertionError("summary " + i + " has ipVersion " + version);
            }
            byte[] src = new byte[version == 4 ? 4 : 16];
            byte[] dst = new byte[src.length];
            srcIp.get(src);
            dstIp.get(dst);
            packets.add(new PacketSummary(tsMicros.getLong(), ifIndex.getShort() & 0xFFFF, version, protocol.get() & 0xFF,
                    ByteBuffer.wrap(src), ByteBuffer.wrap(dst), srcPort.getShort() & 0xFFFF, dstPort.getShort() & 0xFFFF, ipBytes.getInt(),
                    ttl.get() & 0xFF, tcpFlags.get() & 0xFF, tcpSeq.getInt() & 0xFFFF_FFFFL, tcpAck.getInt() & 0xFFFF_FFFFL,
                    tcpWindow.getShort() & 0xFFFF, payloadBytes.getInt(), fragment.get() & 0xFF, vlanId.getShort() & 0xFFFF));
        }
        if (srcIp.hasRemaining() || dstIp.hasRemaining()) {
            throw new AssertionError("address columns longer than their " + n + " summaries need: " + srcIp.remaining() + " and "
                    + dstIp.remaining() + " bytes left");
        }
        return new PacketBatch(c.getAgentId(), c.getBootId(), c.getPartition(), c.getSequence(), c.getCreatedMicros(), c.getInterfaces(),
                packets);
    }

    private static ByteBuffer column(ByteBuffer bytes, int count, int width, String name) {
        if (bytes.remaining() != count * width) {
            throw new AssertionError("column " + name + " holds " + bytes.remaining() + " bytes, not " + count + " x " + width);
        }
        return bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }
}
