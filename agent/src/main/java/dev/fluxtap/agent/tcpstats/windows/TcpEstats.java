package dev.fluxtap.agent.tcpstats.windows;

import dev.fluxtap.agent.tcpstats.TcpConnectionStats;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The read-only dynamic (ROD) structs of GetPerTcpConnectionEStats (tcpestats.h, version 0), read in pure Java.
 * Offsets follow the C layout with natural alignment; SIZE_T fields are pointer-sized, so the layouts that hold
 * them take the pointer size (8 on 64-bit Windows).
 */
public final class TcpEstats {

    /** TCP_ESTATS_TYPE values. */
    public enum Type {
        DATA(1, 96), SND_CONG(2, -1), PATH(3, 160), SEND_BUFF(4, -1), REC(5, -1), BANDWIDTH(7, 40);

        final int code;
        private final int fixedRodSize;

        Type(int code, int fixedRodSize) {
            this.code = code;
            this.fixedRodSize = fixedRodSize;
        }

        public int code() {
            return code;
        }

        /** sizeof the ROD struct for this pointer size. */
        public int rodSize(int pointerSize) {
            switch (this) {
                case SND_CONG:
                    return pointerSize == 8 ? 88 : 72;
                case SEND_BUFF:
                    return 4 * pointerSize;
                case REC:
                    return pointerSize == 8 ? 72 : 56;
                default:
                    return fixedRodSize;
            }
        }

        /** sizeof the RW struct that enables collection: one BOOLEAN, or two TCP_BOOLEAN_OPTIONAL for bandwidth. */
        public int rwSize() {
            return this == BANDWIDTH ? 8 : 1;
        }
    }

    /** 0xFFFFFFFF: "no value yet" in the estats ULONG fields (e.g. MinRtt before the first sample). */
    private static final long ULONG_UNSET = 0xFFFFFFFFL;

    private TcpEstats() {
    }

    /** The RW struct that turns collection on. */
    public static byte[] enableRw(Type type) {
        if (type == Type.BANDWIDTH) {
            // TCP_BOOLEAN_OPTIONAL EnableCollectionOutbound = TcpBoolOptEnabled (1), Inbound likewise.
            return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(1).putInt(1).array();
        }
        return new byte[] {1};
    }

    /** TCP_ESTATS_DATA_ROD_v0: bytes and segments. */
    public static void applyData(ByteBuffer rod, TcpConnectionStats.Builder b) {
        ByteBuffer r = le(rod);
        b.bytesSent(r.getLong(0));       // DataBytesOut
        b.segsOut(r.getLong(32));        // SegsOut
        b.segsIn(r.getLong(40));         // SegsIn
        b.bytesAcked(r.getLong(72));     // ThruBytesAcked
        b.bytesReceived(r.getLong(88));  // ThruBytesReceived
    }

    /** TCP_ESTATS_PATH_ROD_v0: RTT (milliseconds in the struct), MSS, retransmits. Returns CurMss or 0. */
    public static int applyPath(ByteBuffer rod, TcpConnectionStats.Builder b) {
        ByteBuffer r = le(rod);
        b.retransmitsCurrent((int) Math.min(Integer.MAX_VALUE, ulong(r, 3)));   // CurTimeoutCount
        b.retransmitsTotal(ulong(r, 5));                                        // PktsRetrans
        b.rttMicros(millis(ulong(r, 27)));                                      // SmoothedRtt
        b.rttVarMicros(millis(ulong(r, 28)));                                   // RttVar
        b.minRttMicros(millis(ulong(r, 30)));                                   // MinRtt
        long mss = ulong(r, 36);                                                // CurMss
        b.mss(mss == 0 || mss == ULONG_UNSET ? null : (int) mss);
        return mss == ULONG_UNSET ? 0 : (int) mss;
    }

    /** TCP_ESTATS_SND_CONG_ROD_v0: CurCwnd and CurSsthresh are bytes; the contract wants segments of {@code mss}. */
    public static void applySndCong(ByteBuffer rod, int pointerSize, int mss, TcpConnectionStats.Builder b) {
        if (mss <= 0) {
            return;
        }
        ByteBuffer r = le(rod);
        int base = pointerSize == 8 ? 60 : 48;  // after three (ULONG, ULONG, SIZE_T) groups and three ULONGs
        long cwnd = Integer.toUnsignedLong(r.getInt(base));
        long ssthresh = Integer.toUnsignedLong(r.getInt(base + 12));
        b.cwnd((int) (cwnd / mss));
        b.ssthresh(ssthresh == ULONG_UNSET ? null : (int) Math.min(Integer.MAX_VALUE, ssthresh / mss));
    }

    /** TCP_ESTATS_SEND_BUFF_ROD_v0: unacknowledged (retransmit queue) plus unsent application bytes. */
    public static void applySendBuff(ByteBuffer rod, int pointerSize, TcpConnectionStats.Builder b) {
        ByteBuffer r = le(rod);
        b.sendQueueBytes(sizeT(r, 0, pointerSize) + sizeT(r, 2 * pointerSize, pointerSize));
    }

    /** TCP_ESTATS_REC_ROD_v0: CurAppRQueue, bytes received and not yet read by the application. */
    public static void applyRec(ByteBuffer rod, int pointerSize, TcpConnectionStats.Builder b) {
        ByteBuffer r = le(rod);
        b.recvQueueBytes(sizeT(r, pointerSize == 8 ? 48 : 44, pointerSize));
    }

    /** TCP_ESTATS_BANDWIDTH_ROD_v0: OutboundBandwidth, bits per second. */
    public static void applyBandwidth(ByteBuffer rod, TcpConnectionStats.Builder b) {
        b.deliveryRateBps(le(rod).getLong(0));
    }

    private static ByteBuffer le(ByteBuffer rod) {
        return rod.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    private static long ulong(ByteBuffer r, int index) {
        return Integer.toUnsignedLong(r.getInt(index * 4));
    }

    private static Long millis(long ms) {
        return ms == ULONG_UNSET ? null : ms * 1000;
    }

    private static long sizeT(ByteBuffer r, int offset, int pointerSize) {
        return pointerSize == 8 ? r.getLong(offset) : Integer.toUnsignedLong(r.getInt(offset));
    }
}
