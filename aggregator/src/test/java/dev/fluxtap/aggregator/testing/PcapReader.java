package dev.fluxtap.aggregator.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a classic pcap capture (Ethernet, optionally VLAN-tagged) into packet summaries with the agent's units: IP-layer
 * bytes (IPv4 total length, IPv6 payload length + 40), TCP flags/sequence/payload, ICMP {@code type * 256 + code} in
 * dstPort, ports 0 for later fragments. Non-IP frames are skipped. Enough to replay real captures in aggregator tests
 * without the agent module.
 */
public final class PcapReader {

    private PcapReader() {
    }

    public static List<Packets.Pkt> read(InputStream in) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(in.readAllBytes());
        int magic = b.order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        boolean nanos;
        if (magic == 0xa1b2c3d4 || magic == 0xa1b23c4d) {
            nanos = magic == 0xa1b23c4d;
        } else {
            b.order(ByteOrder.BIG_ENDIAN);
            magic = b.getInt(0);
            if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) {
                throw new IOException("not a classic pcap file (magic " + Integer.toHexString(magic) + ")");
            }
            nanos = magic == 0xa1b23c4d;
        }
        int linkType = b.getInt(20);
        if (linkType != 1) {
            throw new IOException("only Ethernet captures (link type 1) are supported, got " + linkType);
        }
        List<Packets.Pkt> out = new ArrayList<>();
        int pos = 24;
        while (pos + 16 <= b.limit()) {
            long sec = Integer.toUnsignedLong(b.getInt(pos));
            long frac = Integer.toUnsignedLong(b.getInt(pos + 4));
            int caplen = b.getInt(pos + 8);
            pos += 16;
            if (caplen < 0 || pos + caplen > b.limit()) {
                break; // truncated last record
            }
            long ts = sec * 1_000_000 + (nanos ? frac / 1000 : frac);
            Packets.Pkt p = ethernet(ts, Arrays.copyOfRange(b.array(), pos, pos + caplen));
            if (p != null) {
                out.add(p);
            }
            pos += caplen;
        }
        return out;
    }

    private static Packets.Pkt ethernet(long ts, byte[] f) {
        ByteBuffer b = ByteBuffer.wrap(f);
        int off = 12;
        if (f.length < off + 2) {
            return null;
        }
        int type = b.getShort(off) & 0xffff;
        while ((type == 0x8100 || type == 0x88a8) && f.length >= off + 6) {
            off += 4;
            type = b.getShort(off) & 0xffff;
        }
        off += 2;
        if (type == 0x0800 && f.length >= off + 20) {
            int ihl = (f[off] & 0x0f) * 4;
            int total = b.getShort(off + 2) & 0xffff;
            int fragment = b.getShort(off + 6) & 0x1fff;
            int protocol = f[off + 9] & 0xff;
            String src = ip(f, off + 12, 4), dst = ip(f, off + 16, 4);
            return transport(ts, protocol, src, dst, total, total - ihl, fragment == 0 ? off + ihl : -1, b, protocol == 1);
        }
        if (type == 0x86dd && f.length >= off + 40) {
            int payload = b.getShort(off + 4) & 0xffff;
            int next = f[off + 6] & 0xff;
            return transport(ts, next, ip(f, off + 8, 16), ip(f, off + 24, 16), payload + 40, payload, off + 40, b, next == 58);
        }
        return null;
    }

    private static Packets.Pkt transport(long ts, int protocol, String src, String dst, int ipBytes, int l4Bytes, int l4, ByteBuffer b,
                                         boolean icmp) {
        int avail = l4 < 0 ? 0 : b.limit() - l4;
        if (icmp && avail >= 2) {
            return new Packets.Pkt(ts, protocol, src, 0, dst, (b.get(l4) & 0xff) * 256 + (b.get(l4 + 1) & 0xff), ipBytes, 0, 0,
                    Math.max(0, l4Bytes - 8));
        }
        if (protocol == 6 && avail >= 14) {
            int dataOffset = ((b.get(l4 + 12) & 0xf0) >> 4) * 4;
            return new Packets.Pkt(ts, 6, src, b.getShort(l4) & 0xffff, dst, b.getShort(l4 + 2) & 0xffff, ipBytes, b.get(l4 + 13) & 0xff,
                    Integer.toUnsignedLong(b.getInt(l4 + 4)), Math.max(0, l4Bytes - dataOffset));
        }
        if (protocol == 17 && avail >= 4) {
            return new Packets.Pkt(ts, 17, src, b.getShort(l4) & 0xffff, dst, b.getShort(l4 + 2) & 0xffff, ipBytes, 0, 0,
                    Math.max(0, l4Bytes - 8));
        }
        return new Packets.Pkt(ts, protocol, src, 0, dst, 0, ipBytes, 0, 0, Math.max(0, l4Bytes));
    }

    private static String ip(byte[] f, int off, int len) {
        try {
            return InetAddress.getByAddress(Arrays.copyOfRange(f, off, off + len)).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
