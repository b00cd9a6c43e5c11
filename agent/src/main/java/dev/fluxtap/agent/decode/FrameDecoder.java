package dev.fluxtap.agent.decode;

/**
 * Decodes link, network and transport headers from raw captured bytes into a reused {@link DecodedPacket}. Pure Java,
 * no allocation per frame, bounded work per frame, and no exception escapes: anything odd is counted by reason in
 * {@link #stats()}. One instance per decoding thread (the packet and the counters are single-writer).
 */
public final class FrameDecoder {

    static final int ETHERTYPE_IPV4 = 0x0800;
    static final int ETHERTYPE_IPV6 = 0x86DD;
    static final int ETHERTYPE_ARP = 0x0806;
    static final int ETHERTYPE_RARP = 0x8035;
    static final int ETHERTYPE_VLAN = 0x8100;
    static final int ETHERTYPE_QINQ = 0x88A8;
    static final int ETHERTYPE_QINQ_OLD = 0x9100;
    static final int ETHERTYPE_LLDP = 0x88CC;
    static final int ETHERTYPE_MPLS = 0x8847;
    static final int ETHERTYPE_MPLS_MULTICAST = 0x8848;
    static final int ETHERTYPE_PPPOE_DISCOVERY = 0x8863;
    static final int ETHERTYPE_PPPOE_SESSION = 0x8864;
    /** Values up to 1500 are an 802.3 length, not a type: an LLC frame follows. */
    static final int MAX_8023_LENGTH = 1500;

    /** More VLAN tags than this is not a real network (QinQ uses 2). */
    static final int MAX_VLAN_TAGS = 4;
    /** More IPv6 extension headers than this is an attack or garbage (RFC 8200 defines at most 7 in one packet). */
    static final int MAX_IPV6_EXTENSION_HEADERS = 8;

    private static final int PROTO_HOPOPT = 0;
    private static final int PROTO_ICMP = 1;
    private static final int PROTO_TCP = 6;
    private static final int PROTO_UDP = 17;
    private static final int PROTO_ROUTING = 43;
    private static final int PROTO_FRAGMENT = 44;
    private static final int PROTO_AH = 51;
    private static final int PROTO_ICMPV6 = 58;
    private static final int PROTO_DSTOPTS = 60;
    private static final int PROTO_SCTP = 132;
    private static final int PROTO_UDPLITE = 136;

    private static final int AF_INET = 2;
    private static final int AF_INET6_BSD = 24;
    private static final int AF_INET6_FREEBSD = 28;
    private static final int AF_INET6_DARWIN = 30;

    private final DecodedPacket packet = new DecodedPacket();
    private final DecodeStats stats;
    private byte[] f;
    private int caplen;
    private int wireLength;
    private MalformedReason malformedReason;
    private SkipReason skipReason;

    public FrameDecoder() {
        this(new DecodeStats());
    }

    public FrameDecoder(DecodeStats stats) {
        this.stats = stats;
    }

    public DecodeStats stats() {
        return stats;
    }

    /** Headers of the last frame, valid until the next call when it returned {@link DecodeOutcome#DECODED}. */
    public DecodedPacket packet() {
        return packet;
    }

    public MalformedReason malformedReason() {
        return malformedReason;
    }

    public SkipReason skipReason() {
        return skipReason;
    }

    /** Decodes one frame whose length on the wire is its captured length. */
    public DecodeOutcome decode(int linkType, byte[] frame, int capturedLength) {
        return decode(linkType, frame, capturedLength, capturedLength);
    }

    /**
     * Decodes one frame.
     *
     * @param linkType        libpcap link type of the capture
     * @param frame           captured bytes
     * @param capturedLength  number of valid bytes in {@code frame} (the capture length)
     * @param originalLength  length of the frame on the wire; gives the IP length of Linux BIG TCP / GSO packets whose
     *                        IPv4 total length or IPv6 payload length is 0
     */
    public DecodeOutcome decode(int linkType, byte[] frame, int capturedLength, int originalLength) {
        stats.countFrame();
        packet.reset();
        malformedReason = null;
        skipReason = null;
        f = frame;
        caplen = frame == null ? 0 : Math.max(0, Math.min(capturedLength, frame.length));
        wireLength = Math.max(caplen, originalLength);
        try {
            decodeLink(linkType);
        } catch (RuntimeException e) {
            // Last-resort guard: the bounds checks above should make this unreachable.
            malformedReason = MalformedReason.DECODER_FAULT;
        } finally {
            f = null;
        }
        if (malformedReason != null) {
            stats.countMalformed(malformedReason);
            return DecodeOutcome.MALFORMED;
        }
        if (skipReason != null) {
            stats.countSkipped(skipReason);
            return DecodeOutcome.SKIPPED;
        }
        stats.countDecoded();
        return DecodeOutcome.DECODED;
    }

    private void decodeLink(int linkType) {
        switch (linkType) {
            case LinkTypes.ETHERNET -> {
                if (caplen < 14) {
                    malformedReason = MalformedReason.ETHERNET_TRUNCATED;
                    return;
                }
                decodeEthertype(u16(12), 14);
            }
            case LinkTypes.LINUX_SLL -> {
                if (caplen < 16) {
                    malformedReason = MalformedReason.SLL_TRUNCATED;
                    return;
                }
                decodeEthertype(u16(14), 16);
            }
            case LinkTypes.LINUX_SLL2 -> {
                if (caplen < 20) {
                    malformedReason = MalformedReason.SLL2_TRUNCATED;
                    return;
                }
                decodeEthertype(u16(0), 20);
            }
            case LinkTypes.RAW, LinkTypes.RAW_OPENBSD, LinkTypes.LINKTYPE_RAW -> decodeIpByVersion(0);
            case LinkTypes.IPV4 -> decodeIpv4(0);
            case LinkTypes.IPV6 -> decodeIpv6(0);
            case LinkTypes.NULL, LinkTypes.LOOP -> decodeLoopback();
            default -> skipReason = SkipReason.UNSUPPORTED_LINKTYPE;
        }
    }

    private void decodeLoopback() {
        if (caplen < 4) {
            malformedReason = MalformedReason.LOOPBACK_TRUNCATED;
            return;
        }
        // The family is in the byte order of the host that wrote the capture (DLT_LOOP: network order): try both.
        int family = u32(0);
        if ((family & 0xFFFF0000) != 0) {
            family = Integer.reverseBytes(family);
        }
        switch (family) {
            case AF_INET -> decodeIpv4(4);
            case AF_INET6_BSD, AF_INET6_FREEBSD, AF_INET6_DARWIN -> decodeIpv6(4);
            default -> skipReason = SkipReason.UNKNOWN_ADDRESS_FAMILY;
        }
    }

    private void decodeEthertype(int type, int offset) {
        int tags = 0;
        while (type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ || type == ETHERTYPE_QINQ_OLD) {
            if (tags == MAX_VLAN_TAGS) {
                malformedReason = MalformedReason.VLAN_TOO_DEEP;
                return;
            }
            if (offset + 4 > caplen) {
                malformedReason = MalformedReason.VLAN_TRUNCATED;
                return;
            }
            if (tags == 0) {
                packet.vlanId = u16(offset) & 0x0FFF;
            }
            type = u16(offset + 2);
            offset += 4;
            tags++;
        }
        switch (type) {
            case ETHERTYPE_IPV4 -> decodeIpv4(offset);
            case ETHERTYPE_IPV6 -> decodeIpv6(offset);
            case ETHERTYPE_ARP, ETHERTYPE_RARP -> skipReason = SkipReason.ARP;
            case ETHERTYPE_LLDP -> skipReason = SkipReason.LLDP;
            case ETHERTYPE_MPLS, ETHERTYPE_MPLS_MULTICAST -> skipReason = SkipReason.MPLS;
            case ETHERTYPE_PPPOE_DISCOVERY, ETHERTYPE_PPPOE_SESSION -> skipReason = SkipReason.PPPOE;
            default -> skipReason = type <= MAX_8023_LENGTH ? SkipReason.LLC : SkipReason.UNKNOWN_ETHERTYPE;
        }
    }

    private void decodeIpByVersion(int offset) {
        if (offset >= caplen) {
            malformedReason = MalformedReason.IP_TRUNCATED;
            return;
        }
        switch (u8(offset) >>> 4) {
            case 4 -> decodeIpv4(offset);
            case 6 -> decodeIpv6(offset);
            default -> malformedReason = MalformedReason.IP_BAD_VERSION;
        }
    }

    private void decodeIpv4(int ip) {
        if (ip + 20 > caplen) {
            malformedReason = ip < caplen && (u8(ip) >>> 4) != 4 ? MalformedReason.IP_BAD_VERSION : MalformedReason.IPV4_TRUNCATED;
            return;
        }
        int versionAndLength = u8(ip);
        if (versionAndLength >>> 4 != 4) {
            malformedReason = MalformedReason.IP_BAD_VERSION;
            return;
        }
        int headerLength = (versionAndLength & 0x0F) * 4;
        if (headerLength < 20) {
            malformedReason = MalformedReason.IPV4_BAD_HEADER_LENGTH;
            return;
        }
        if (ip + headerLength > caplen) {
            malformedReason = MalformedReason.IPV4_TRUNCATED;
            return;
        }
        int totalLength = u16(ip + 2);
        if (totalLength == 0 && wireLength - ip > 0xFFFF) {
            // Linux BIG TCP: an IPv4 packet over 64 KiB carries total length 0; the wire length tells the truth.
            totalLength = wireLength - ip;
        }
        if (totalLength < headerLength) {
            malformedReason = MalformedReason.IPV4_BAD_TOTAL_LENGTH;
            return;
        }
        DecodedPacket p = packet;
        p.ipVersion = 4;
        p.ipBytes = totalLength;
        p.ttl = u8(ip + 8);
        p.protocol = u8(ip + 9);
        p.srcLo = u32(ip + 12) & 0xFFFF_FFFFL;
        p.dstLo = u32(ip + 16) & 0xFFFF_FFFFL;
        int flagsAndOffset = u16(ip + 6);
        boolean moreFragments = (flagsAndOffset & 0x2000) != 0;
        int fragmentOffset = flagsAndOffset & 0x1FFF;
        p.fragment = fragmentOffset != 0 ? 2 : moreFragments ? 1 : 0;
        int ipPayload = totalLength - headerLength;
        if (p.fragment == 2) {
            p.payloadBytes = ipPayload;
            return;
        }
        // Options are skipped by the header length; the transport must lie inside the IP packet (Ethernet pads).
        int transport = ip + headerLength;
        decodeTransport(p.protocol, transport, ipPayload, Math.min(caplen, transport + ipPayload));
    }

    private void decodeIpv6(int ip) {
        if (ip + 40 > caplen) {
            malformedReason = ip < caplen && (u8(ip) >>> 4) != 6 ? MalformedReason.IP_BAD_VERSION : MalformedReason.IPV6_TRUNCATED;
            return;
        }
        if (u8(ip) >>> 4 != 6) {
            malformedReason = MalformedReason.IP_BAD_VERSION;
            return;
        }
        DecodedPacket p = packet;
        int payloadLength = u16(ip + 4);
        if (payloadLength == 0) {
            payloadLength = jumboPayloadLength(ip);
        }
        p.ipVersion = 6;
        p.ipBytes = payloadLength + 40;
        p.ttl = u8(ip + 7);
        p.srcHi = u64(ip + 8);
        p.srcLo = u64(ip + 16);
        p.dstHi = u64(ip + 24);
        p.dstLo = u64(ip + 32);
        int next = u8(ip + 6);
        int cursor = ip + 40;
        int payloadEnd = ip + 40 + payloadLength;
        int headers = 0;
        while (true) {
            int length;
            switch (next) {
                case PROTO_HOPOPT, PROTO_ROUTING, PROTO_DSTOPTS -> length = -8;
                case PROTO_AH -> length = -4;
                case PROTO_FRAGMENT -> length = 8;
                default -> length = 0;
            }
            if (length == 0) {
                break;
            }
            if (++headers > MAX_IPV6_EXTENSION_HEADERS) {
                malformedReason = MalformedReason.IPV6_EXT_LOOP;
                return;
            }
            if (cursor + 8 > caplen) {
                malformedReason = MalformedReason.IPV6_EXT_TRUNCATED;
                return;
            }
            int header = next;
            next = u8(cursor);
            if (length == -8) {
                length = (u8(cursor + 1) + 1) * 8;
            } else if (length == -4) {
                length = (u8(cursor + 1) + 2) * 4;
            }
            if (cursor + length > payloadEnd) {
                malformedReason = MalformedReason.IPV6_EXT_BAD_LENGTH;
                return;
            }
            if (header == PROTO_FRAGMENT) {
                int offsetAndFlags = u16(cursor + 2);
                p.fragment = (offsetAndFlags & 0xFFF8) != 0 ? 2 : (offsetAndFlags & 1) != 0 ? 1 : 0;
            }
            cursor += length;
            if (p.fragment == 2) {
                break;
            }
        }
        p.protocol = next;
        int ipPayload = payloadEnd - cursor;
        if (p.fragment == 2) {
            p.payloadBytes = ipPayload;
            return;
        }
        decodeTransport(next, cursor, ipPayload, Math.min(caplen, payloadEnd));
    }

    /**
     * Payload length of an IPv6 packet whose payload length field is 0: the hop-by-hop Jumbo Payload option (RFC 2675),
     * or else the wire length (Linux BIG TCP drops the option before capture). 0 when neither applies.
     */
    private int jumboPayloadLength(int ip) {
        int hbh = ip + 40;
        if (u8(ip + 6) == PROTO_HOPOPT && hbh + 8 <= caplen) {
            int end = Math.min(caplen, hbh + (u8(hbh + 1) + 1) * 8);
            int i = hbh + 2;
            while (i < end) {
                int type = u8(i);
                if (type == 0) {
                    i++;
                    continue;
                }
                if (i + 1 >= end) {
                    break;
                }
                int length = u8(i + 1);
                if (type == 0xC2 && length == 4 && i + 6 <= end) {
                    long jumbo = u32(i + 2) & 0xFFFF_FFFFL;
                    return (int) Math.min(jumbo, Integer.MAX_VALUE / 2);
                }
                i += 2 + length;
            }
        }
        int fromWire = wireLength - ip - 40;
        return fromWire > 0xFFFF ? fromWire : 0;
    }

    private void decodeTransport(int protocol, int offset, int ipPayload, int end) {
        DecodedPacket p = packet;
        switch (protocol) {
            case PROTO_TCP -> {
                if (offset + 20 > end) {
                    malformedReason = MalformedReason.TCP_TRUNCATED;
                    return;
                }
                int headerLength = (u8(offset + 12) >>> 4) * 4;
                if (headerLength < 20 || headerLength > ipPayload) {
                    malformedReason = MalformedReason.TCP_BAD_OFFSET;
                    return;
                }
                p.srcPort = u16(offset);
                p.dstPort = u16(offset + 2);
                p.tcpSeq = u32(offset + 4) & 0xFFFF_FFFFL;
                p.tcpAck = u32(offset + 8) & 0xFFFF_FFFFL;
                p.tcpFlags = u8(offset + 13);
                p.tcpWindow = u16(offset + 14);
                p.payloadBytes = ipPayload - headerLength;
                decodeTcpOptions(offset + 20, offset + headerLength, Math.min(end, offset + headerLength));
            }
            case PROTO_UDP, PROTO_UDPLITE -> {
                if (ipPayload < 8) {
                    malformedReason = MalformedReason.UDP_BAD_LENGTH;
                    return;
                }
                if (offset + 8 > end) {
                    malformedReason = MalformedReason.UDP_TRUNCATED;
                    return;
                }
                p.srcPort = u16(offset);
                p.dstPort = u16(offset + 2);
                p.payloadBytes = ipPayload - 8;
            }
            case PROTO_ICMP, PROTO_ICMPV6 -> {
                if (offset + 2 > end) {
                    malformedReason = MalformedReason.ICMP_TRUNCATED;
                    return;
                }
                // NetFlow convention: type * 256 + code in the destination port.
                p.dstPort = u8(offset) * 256 + u8(offset + 1);
                p.payloadBytes = Math.max(0, ipPayload - 8);
            }
            case PROTO_SCTP -> {
                if (offset + 12 > end) {
                    malformedReason = MalformedReason.SCTP_TRUNCATED;
                    return;
                }
                p.srcPort = u16(offset);
                p.dstPort = u16(offset + 2);
                p.payloadBytes = Math.max(0, ipPayload - 12);
            }
            default -> p.payloadBytes = ipPayload;
        }
    }

    /**
     * Parses MSS, window scale, SACK-permitted and timestamps. {@code headerEnd} is where the options end per the data
     * offset, {@code capturedEnd} where the captured bytes end (a short snaplen may cut options: not an error).
     */
    private void decodeTcpOptions(int offset, int headerEnd, int capturedEnd) {
        DecodedPacket p = packet;
        int i = offset;
        while (i < capturedEnd) {
            int kind = u8(i);
            if (kind == 0) {
                return;
            }
            if (kind == 1) {
                i++;
                continue;
            }
            if (i + 1 >= capturedEnd) {
                if (i + 1 >= headerEnd) {
                    invalidTcpOptions();
                }
                return;
            }
            int length = u8(i + 1);
            if (length < 2 || i + length > headerEnd) {
                invalidTcpOptions();
                return;
            }
            if (i + length > capturedEnd) {
                return;
            }
            switch (kind) {
                case 2 -> {
                    if (length != 4) {
                        invalidTcpOptions();
                        return;
                    }
                    p.tcpMss = u16(i + 2);
                }
                case 3 -> {
                    int shift = length == 3 ? u8(i + 2) : -1;
                    if (shift < 0 || shift > 14) {
                        invalidTcpOptions();
                        return;
                    }
                    p.tcpWindowScale = shift;
                }
                case 4 -> {
                    if (length != 2) {
                        invalidTcpOptions();
                        return;
                    }
                    p.tcpSackPermitted = true;
                }
                case 5 -> {
                    if ((length - 2) % 8 != 0 || length == 2) {
                        invalidTcpOptions();
                        return;
                    }
                }
                case 8 -> {
                    if (length != 10) {
                        invalidTcpOptions();
                        return;
                    }
                    p.tcpTsVal = u32(i + 2) & 0xFFFF_FFFFL;
                    p.tcpTsEcr = u32(i + 6) & 0xFFFF_FFFFL;
                }
                default -> {
                    // Other options (MD5, TFO, MPTCP, ...) are skipped by their length.
                }
            }
            i += length;
        }
    }

    private void invalidTcpOptions() {
        packet.tcpOptionsValid = false;
        stats.countTcpOptionError();
    }

    private int u8(int i) {
        return f[i] & 0xFF;
    }

    private int u16(int i) {
        return ((f[i] & 0xFF) << 8) | (f[i + 1] & 0xFF);
    }

    private int u32(int i) {
        return ((f[i] & 0xFF) << 24) | ((f[i + 1] & 0xFF) << 16) | ((f[i + 2] & 0xFF) << 8) | (f[i + 3] & 0xFF);
    }

    private long u64(int i) {
        return ((long) u32(i) << 32) | (u32(i + 4) & 0xFFFF_FFFFL);
    }
}
