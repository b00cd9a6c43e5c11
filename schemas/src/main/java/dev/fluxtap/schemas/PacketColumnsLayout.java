package dev.fluxtap.schemas;

/**
 * The widths of {@code PacketColumns}' columns, in bytes per summary, as its schema documents them: the one place the
 * agent's encoder and the aggregator's reader take them from. Every column is a run of little-endian numbers of its
 * width, except the two address columns, whose values are 4 or 16 bytes by the summary's {@code ipVersion}, in network
 * byte order.
 */
public final class PacketColumnsLayout {

    public static final int TS_MICROS = 8;
    public static final int IF_INDEX = 2;
    public static final int IP_VERSION = 1;
    public static final int PROTOCOL = 1;
    public static final int SRC_PORT = 2;
    public static final int DST_PORT = 2;
    public static final int IP_BYTES = 4;
    public static final int TTL = 1;
    public static final int TCP_FLAGS = 1;
    public static final int TCP_SEQ = 4;
    public static final int TCP_ACK = 4;
    public static final int TCP_WINDOW = 2;
    public static final int PAYLOAD_BYTES = 4;
    public static final int FRAGMENT = 1;
    public static final int VLAN_ID = 2;

    /** Bytes per summary of every column but the addresses. */
    public static final int FIXED_BYTES = TS_MICROS + IF_INDEX + IP_VERSION + PROTOCOL + SRC_PORT + DST_PORT + IP_BYTES + TTL + TCP_FLAGS
            + TCP_SEQ + TCP_ACK + TCP_WINDOW + PAYLOAD_BYTES + FRAGMENT + VLAN_ID;

    /** The width of one address of a summary of this IP version in the srcIp and dstIp columns, or -1 for another version. */
    public static int addressBytes(int ipVersion) {
        return ipVersion == 4 ? 4 : ipVersion == 6 ? 16 : -1;
    }

    private PacketColumnsLayout() {
    }
}
