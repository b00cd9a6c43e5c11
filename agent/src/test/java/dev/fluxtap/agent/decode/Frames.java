package dev.fluxtap.agent.decode;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/** Builds frames byte by byte for decoder tests: each layer is written as the RFCs lay it out. */
final class Frames {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    static Frames create() {
        return new Frames();
    }

    Frames u8(int v) {
        out.write(v & 0xFF);
        return this;
    }

    Frames u16(int v) {
        return u8(v >>> 8).u8(v);
    }

    Frames u32(long v) {
        return u16((int) (v >>> 16)).u16((int) v);
    }

    Frames bytes(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    Frames zeros(int n) {
        return bytes(new byte[n]);
    }

    Frames ethernet(int ethertype) {
        return bytes(new byte[] {0, 1, 2, 3, 4, 5}).bytes(new byte[] {6, 7, 8, 9, 10, 11}).u16(ethertype);
    }

    Frames vlan(int tpid, int vlanId, int innerType) {
        return u16(tpid).u16(vlanId).u16(innerType);
    }

    Frames sll(int protocol) {
        return u16(0).u16(1).u16(6).bytes(new byte[] {1, 2, 3, 4, 5, 6, 0, 0}).u16(protocol);
    }

    Frames sll2(int protocol) {
        return u16(protocol).u16(0).u32(2).u16(1).u8(0).u8(6).bytes(new byte[] {1, 2, 3, 4, 5, 6, 0, 0});
    }

    /** IPv4 header with optional options (a multiple of 4 bytes) and fragment fields. */
    Frames ipv4(int protocol, int totalLength, byte[] src, byte[] dst, byte[] options, int flagsAndOffset, int ttl) {
        int ihl = 5 + options.length / 4;
        return u8(0x40 | ihl).u8(0).u16(totalLength).u16(0x1234).u16(flagsAndOffset).u8(ttl).u8(protocol).u16(0)
                .bytes(src).bytes(dst).bytes(options);
    }

    Frames ipv4(int protocol, int payloadLength) {
        return ipv4(protocol, 20 + payloadLength, ip4(10, 0, 0, 1), ip4(10, 0, 0, 2), new byte[0], 0x4000, 64);
    }

    Frames ipv6(int nextHeader, int payloadLength, byte[] src, byte[] dst, int hopLimit) {
        return u32(0x6000_0000L).u16(payloadLength).u8(nextHeader).u8(hopLimit).bytes(src).bytes(dst);
    }

    Frames ipv6(int nextHeader, int payloadLength) {
        return ipv6(nextHeader, payloadLength, ip6("2001:db8::1"), ip6("2001:db8::2"), 64);
    }

    /** Generic extension header (hop-by-hop, routing, destination options) of 8 * (hdrExtLen + 1) bytes. */
    Frames ext(int nextHeader, int hdrExtLen) {
        return u8(nextHeader).u8(hdrExtLen).zeros(6 + 8 * hdrExtLen);
    }

    Frames fragment6(int nextHeader, int offset8, boolean more) {
        return u8(nextHeader).u8(0).u16((offset8 << 3) | (more ? 1 : 0)).u32(0xABCD);
    }

    Frames tcp(int srcPort, int dstPort, long seq, long ack, int flags, int window, byte[] options) {
        int dataOffset = 5 + options.length / 4;
        return u16(srcPort).u16(dstPort).u32(seq).u32(ack).u8(dataOffset << 4).u8(flags).u16(window).u16(0).u16(0).bytes(options);
    }

    Frames udp(int srcPort, int dstPort, int payloadLength) {
        return u16(srcPort).u16(dstPort).u16(8 + payloadLength).u16(0);
    }

    Frames icmp(int type, int code) {
        return u8(type).u8(code).u16(0).u32(0);
    }

    byte[] build() {
        return out.toByteArray();
    }

    static byte[] ip4(int a, int b, int c, int d) {
        return new byte[] {(byte) a, (byte) b, (byte) c, (byte) d};
    }

    static byte[] ip6(String text) {
        try {
            return java.net.InetAddress.getByName(text).getAddress();
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static long ip6Hi(String text) {
        return ByteBuffer.wrap(ip6(text)).getLong(0);
    }

    static long ip6Lo(String text) {
        return ByteBuffer.wrap(ip6(text)).getLong(8);
    }

    /** MSS 1460, SACK permitted, timestamps 1000/2000, NOP, window scale 7: a typical Linux SYN (20 bytes). */
    static byte[] synOptions() {
        return Frames.create().u8(2).u8(4).u16(1460).u8(4).u8(2).u8(8).u8(10).u32(1000).u32(2000).u8(1).u8(3).u8(3).u8(7).build();
    }
}
