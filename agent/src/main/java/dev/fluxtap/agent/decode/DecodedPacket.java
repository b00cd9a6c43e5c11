package dev.fluxtap.agent.decode;

/**
 * The headers of the last frame a {@link FrameDecoder} decoded. A mutable flyweight reused for every frame of one
 * decoding thread, so the hot path allocates nothing; copy what you keep (see {@code summarize.PacketSummary}).
 * Addresses are held as two longs: IPv4 in the low 32 bits of {@code *Lo} with {@code *Hi} = 0, IPv6 as high and low
 * 64 bits in network order.
 */
public final class DecodedPacket {
    /** Absent option value. */
    public static final int NONE = -1;

    int vlanId;
    int ipVersion;
    int protocol;
    long srcHi;
    long srcLo;
    long dstHi;
    long dstLo;
    int srcPort;
    int dstPort;
    int ipBytes;
    int ttl;
    int tcpFlags;
    long tcpSeq;
    long tcpAck;
    int tcpWindow;
    int payloadBytes;
    int fragment;
    int tcpMss;
    int tcpWindowScale;
    boolean tcpSackPermitted;
    long tcpTsVal;
    long tcpTsEcr;
    boolean tcpOptionsValid;

    void reset() {
        vlanId = 0;
        ipVersion = 0;
        protocol = 0;
        srcHi = srcLo = dstHi = dstLo = 0;
        srcPort = dstPort = 0;
        ipBytes = ttl = tcpFlags = tcpWindow = payloadBytes = fragment = 0;
        tcpSeq = tcpAck = 0;
        tcpMss = tcpWindowScale = NONE;
        tcpSackPermitted = false;
        tcpTsVal = tcpTsEcr = NONE;
        tcpOptionsValid = true;
    }

    public int vlanId() { return vlanId; }
    public int ipVersion() { return ipVersion; }
    public int protocol() { return protocol; }
    public long srcHi() { return srcHi; }
    public long srcLo() { return srcLo; }
    public long dstHi() { return dstHi; }
    public long dstLo() { return dstLo; }
    public int srcPort() { return srcPort; }
    public int dstPort() { return dstPort; }
    public int ipBytes() { return ipBytes; }
    public int ttl() { return ttl; }
    public int tcpFlags() { return tcpFlags; }
    public long tcpSeq() { return tcpSeq; }
    public long tcpAck() { return tcpAck; }
    public int tcpWindow() { return tcpWindow; }
    public int payloadBytes() { return payloadBytes; }
    /** 0 not fragmented, 1 first fragment, 2 later fragment (no transport header). */
    public int fragment() { return fragment; }
    /** TCP MSS option, or {@link #NONE}. */
    public int tcpMss() { return tcpMss; }
    /** TCP window-scale shift, or {@link #NONE}. */
    public int tcpWindowScale() { return tcpWindowScale; }
    public boolean tcpSackPermitted() { return tcpSackPermitted; }
    /** TCP timestamp value (unsigned 32-bit), or {@link #NONE}. */
    public long tcpTsVal() { return tcpTsVal; }
    public long tcpTsEcr() { return tcpTsEcr; }
    /** False when a TCP option had an impossible length or value; the header fields are still valid. */
    public boolean tcpOptionsValid() { return tcpOptionsValid; }
}
