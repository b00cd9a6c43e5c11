package dev.fluxtap.agent.summarize;

import dev.fluxtap.agent.decode.DecodedPacket;

/**
 * The headers of one captured IP packet, immutable. Addresses are held as two longs (IPv4 in the low 32 bits of
 * {@code *Lo}), so a summary is one small object with no arrays. Field meanings follow the PacketSummary Avro schema.
 */
public record PacketSummary(
        long tsMicros,
        int ifIndex,
        int ipVersion,
        int protocol,
        long srcHi,
        long srcLo,
        long dstHi,
        long dstLo,
        int srcPort,
        int dstPort,
        int ipBytes,
        int ttl,
        int tcpFlags,
        long tcpSeq,
        long tcpAck,
        int tcpWindow,
        int payloadBytes,
        int fragment,
        int vlanId) {

    public static PacketSummary of(DecodedPacket p, long tsMicros, int ifIndex) {
        return new PacketSummary(tsMicros, ifIndex, p.ipVersion(), p.protocol(), p.srcHi(), p.srcLo(), p.dstHi(), p.dstLo(),
                p.srcPort(), p.dstPort(), p.ipBytes(), p.ttl(), p.tcpFlags(), p.tcpSeq(), p.tcpAck(), p.tcpWindow(),
                p.payloadBytes(), p.fragment(), p.vlanId());
    }

    /** Source address in network byte order: 4 bytes for IPv4, 16 for IPv6. */
    public byte[] srcIpBytes() {
        return addressBytes(ipVersion, srcHi, srcLo);
    }

    public byte[] dstIpBytes() {
        return addressBytes(ipVersion, dstHi, dstLo);
    }

    public String srcIp() {
        return format(srcIpBytes());
    }

    public String dstIp() {
        return format(dstIpBytes());
    }

    static byte[] addressBytes(int ipVersion, long hi, long lo) {
        if (ipVersion == 4) {
            return new byte[] {(byte) (lo >>> 24), (byte) (lo >>> 16), (byte) (lo >>> 8), (byte) lo};
        }
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (hi >>> (56 - 8 * i));
            b[8 + i] = (byte) (lo >>> (56 - 8 * i));
        }
        return b;
    }

    /** Dotted quad, or RFC 5952 text for IPv6 (lower case, longest zero run as "::"), as tcpdump and tshark print it. */
    static String format(byte[] address) {
        if (address.length == 4) {
            return (address[0] & 0xFF) + "." + (address[1] & 0xFF) + "." + (address[2] & 0xFF) + "." + (address[3] & 0xFF);
        }
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((address[2 * i] & 0xFF) << 8) | (address[2 * i + 1] & 0xFF);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        if (bestStart == 0 && bestLength == 6 || bestStart == 0 && bestLength == 5 && groups[5] == 0xFFFF) {
            // IPv4-compatible / IPv4-mapped forms keep the dotted quad tail.
            String tail = (address[12] & 0xFF) + "." + (address[13] & 0xFF) + "." + (address[14] & 0xFF) + "." + (address[15] & 0xFF);
            return bestLength == 6 ? "::" + tail : "::ffff:" + tail;
        }
        StringBuilder b = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                b.append("::");
                i += bestLength - 1;
                continue;
            }
            if (b.length() > 0 && b.charAt(b.length() - 1) != ':') {
                b.append(':');
            }
            b.append(Integer.toHexString(groups[i]));
        }
        return b.toString();
    }
}
