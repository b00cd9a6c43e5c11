package dev.fluxtap.agent.publish;

import static dev.fluxtap.schemas.PacketColumnsLayout.DST_PORT;
import static dev.fluxtap.schemas.PacketColumnsLayout.FIXED_BYTES;
import static dev.fluxtap.schemas.PacketColumnsLayout.FRAGMENT;
import static dev.fluxtap.schemas.PacketColumnsLayout.IF_INDEX;
import static dev.fluxtap.schemas.PacketColumnsLayout.IP_BYTES;
import static dev.fluxtap.schemas.PacketColumnsLayout.IP_VERSION;
import static dev.fluxtap.schemas.PacketColumnsLayout.PAYLOAD_BYTES;
import static dev.fluxtap.schemas.PacketColumnsLayout.PROTOCOL;
import static dev.fluxtap.schemas.PacketColumnsLayout.SRC_PORT;
import static dev.fluxtap.schemas.PacketColumnsLayout.TCP_ACK;
import static dev.fluxtap.schemas.PacketColumnsLayout.TCP_FLAGS;
import static dev.fluxtap.schemas.PacketColumnsLayout.TCP_SEQ;
import static dev.fluxtap.schemas.PacketColumnsLayout.TCP_WINDOW;
import static dev.fluxtap.schemas.PacketColumnsLayout.TS_MICROS;
import static dev.fluxtap.schemas.PacketColumnsLayout.TTL;
import static dev.fluxtap.schemas.PacketColumnsLayout.VLAN_ID;

import dev.fluxtap.agent.summarize.PacketSummary;
import dev.fluxtap.schemas.AvroBinaryWriter;
import dev.fluxtap.schemas.PacketColumnsLayout;
import dev.fluxtap.schemas.avro.PacketColumns;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.List;

/**
 * The columns wire format (the default): writes a batch in Avro single-object encoding of {@code PacketColumns}, one
 * {@code bytes} column per summary field holding a fixed-width little-endian number per summary, the addresses 4 or 16
 * bytes each in network order. The IPv6 summaries are counted first (they size the address columns), every column is
 * reserved with its length, then one pass over the summaries fills each summary's slot of every column in place.
 * Field order follows PacketColumns.avsc, widths are {@link PacketColumnsLayout}'s; ColumnBatchEncoderTest reads the
 * result back with Avro's own decoder.
 */
final class ColumnBatchEncoder implements BatchEncoding {

    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle SHORT_LE = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT_BE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    /** One per PacketSummary field. */
    private static final int COLUMNS = 17;

    private final BatchWriter writer = new BatchWriter(PacketColumns.getClassSchema());

    @Override
    public synchronized byte[] encode(SummaryBatch batch) {
        List<PacketSummary> summaries = batch.summaries();
        int n = summaries.size();
        int ipv6 = countIpv6(batch);
        int addressColumnBytes = (n - ipv6) * PacketColumnsLayout.addressBytes(4) + ipv6 * PacketColumnsLayout.addressBytes(6);
        AvroBinaryWriter out = writer.begin(batch, AvroBinaryWriter.MAX_INT_BYTES + COLUMNS * AvroBinaryWriter.MAX_LONG_BYTES + n * FIXED_BYTES
                + 2 * addressColumnBytes);
        out.writeInt(n);
        int tsMicrosAt = out.writeBytesLength(n * TS_MICROS);
        int ifIndexAt = out.writeBytesLength(n * IF_INDEX);
        int ipVersionAt = out.writeBytesLength(n * IP_VERSION);
        int protocolAt = out.writeBytesLength(n * PROTOCOL);
        int srcIpAt = out.writeBytesLength(addressColumnBytes);
        int dstIpAt = out.writeBytesLength(addressColumnBytes);
        int srcPortAt = out.writeBytesLength(n * SRC_PORT);
        int dstPortAt = out.writeBytesLength(n * DST_PORT);
        int ipBytesAt = out.writeBytesLength(n * IP_BYTES);
        int ttlAt = out.writeBytesLength(n * TTL);
        int tcpFlagsAt = out.writeBytesLength(n * TCP_FLAGS);
        int tcpSeqAt = out.writeBytesLength(n * TCP_SEQ);
        int tcpAckAt = out.writeBytesLength(n * TCP_ACK);
        int tcpWindowAt = out.writeBytesLength(n * TCP_WINDOW);
        int payloadBytesAt = out.writeBytesLength(n * PAYLOAD_BYTES);
        int fragmentAt = out.writeBytesLength(n * FRAGMENT);
        int vlanIdAt = out.writeBytesLength(n * VLAN_ID);
        byte[] a = out.array();
        int addressAt = 0;
        for (int i = 0; i < n; i++) {
            PacketSummary s = summaries.get(i);
            // The decoder's header fields fit their widths; these three come from elsewhere, so one branch checks them.
            if ((s.ifIndex() >>> 16 | s.ipBytes() >>> 31 | s.payloadBytes() >>> 31) != 0) {
                throw doesNotFit(batch, i, s);
            }
            LONG_LE.set(a, tsMicrosAt + i * TS_MICROS, s.tsMicros());
            SHORT_LE.set(a, ifIndexAt + i * IF_INDEX, (short) s.ifIndex());
            a[ipVersionAt + i] = (byte) s.ipVersion();
            a[protocolAt + i] = (byte) s.protocol();
            if (s.ipVersion() == 4) {
                INT_BE.set(a, srcIpAt + addressAt, (int) s.srcLo());
                INT_BE.set(a, dstIpAt + addressAt, (int) s.dstLo());
                addressAt += 4;
            } else {
                LONG_BE.set(a, srcIpAt + addressAt, s.srcHi());
                LONG_BE.set(a, srcIpAt + addressAt + 8, s.srcLo());
                LONG_BE.set(a, dstIpAt + addressAt, s.dstHi());
                LONG_BE.set(a, dstIpAt + addressAt + 8, s.dstLo());
                addressAt += 16;
            }
            SHORT_LE.set(a, srcPortAt + i * SRC_PORT, (short) s.srcPort());
            SHORT_LE.set(a, dstPortAt + i * DST_PORT, (short) s.dstPort());
            INT_LE.set(a, ipBytesAt + i * IP_BYTES, s.ipBytes());
            a[ttlAt + i] = (byte) s.ttl();
            a[tcpFlagsAt + i] = (byte) s.tcpFlags();
            INT_LE.set(a, tcpSeqAt + i * TCP_SEQ, (int) s.tcpSeq());
            INT_LE.set(a, tcpAckAt + i * TCP_ACK, (int) s.tcpAck());
            SHORT_LE.set(a, tcpWindowAt + i * TCP_WINDOW, (short) s.tcpWindow());
            INT_LE.set(a, payloadBytesAt + i * PAYLOAD_BYTES, s.payloadBytes());
            a[fragmentAt + i] = (byte) s.fragment();
            SHORT_LE.set(a, vlanIdAt + i * VLAN_ID, (short) s.vlanId());
        }
        return out.toByteArray();
    }

    /** The IPv6 summaries, which take 16 bytes per address column instead of 4; any version but 4 and 6 has no width. */
    private static int countIpv6(SummaryBatch batch) {
        List<PacketSummary> summaries = batch.summaries();
        int ipv6 = 0;
        for (int i = 0; i < summaries.size(); i++) {
            int version = summaries.get(i).ipVersion();
            if (version == 6) {
                ipv6++;
            } else if (version != 4) {
                throw cannotWrite(batch, i, "ipVersion " + version + " is neither 4 nor 6; the decoder passes only IPv4 and IPv6, so report"
                        + " this as a bug");
            }
        }
        return ipv6;
    }

    private static IllegalArgumentException doesNotFit(SummaryBatch batch, int index, PacketSummary s) {
        if (s.ifIndex() >>> 16 != 0) {
            return cannotWrite(batch, index, "ifIndex " + s.ifIndex() + " is outside 0..65535, the range of its 2-byte column;"
                    + " capture on at most 65536 interfaces");
        }
        String field = s.ipBytes() < 0 ? "ipBytes " + s.ipBytes() : "payloadBytes " + s.payloadBytes();
        return cannotWrite(batch, index, field + " is negative; the decoder never yields that, so report this as a bug");
    }

    private static IllegalArgumentException cannotWrite(SummaryBatch batch, int index, String problem) {
        return new IllegalArgumentException("cannot write summary " + index + " of the batch for partition " + batch.partition()
                + " (sequence " + batch.sequence() + ") as PacketColumns: " + problem);
    }
}
