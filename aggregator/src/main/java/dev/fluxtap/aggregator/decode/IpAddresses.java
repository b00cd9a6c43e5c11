package dev.fluxtap.aggregator.decode;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Converts addresses between network-order bytes, the two-long form used by the flow table, and text. */
public final class IpAddresses {

    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    /** High 64 bits: 0 for IPv4. */
    public static long hi(ByteBuffer address) {
        return address.remaining() == 16 ? address.getLong(address.position()) : 0L;
    }

    /** Low 64 bits: the unsigned IPv4 address, or the low half of an IPv6 address. */
    public static long lo(ByteBuffer address) {
        int p = address.position();
        return address.remaining() == 16 ? address.getLong(p + 8) : address.getInt(p) & 0xFFFF_FFFFL;
    }

    /** {@link #hi(ByteBuffer)} of the 4 or 16 bytes at {@code offset}. */
    public static long hi(byte[] bytes, int offset, int length) {
        return length == 16 ? (long) LONG.get(bytes, offset) : 0L;
    }

    /** {@link #lo(ByteBuffer)} of the 4 or 16 bytes at {@code offset}. */
    public static long lo(byte[] bytes, int offset, int length) {
        return length == 16 ? (long) LONG.get(bytes, offset + 8) : (int) INT.get(bytes, offset) & 0xFFFF_FFFFL;
    }

    public static byte[] bytes(int ipVersion, long hi, long lo) {
        if (ipVersion == 4) {
            return new byte[] {(byte) (lo >>> 24), (byte) (lo >>> 16), (byte) (lo >>> 8), (byte) lo};
        }
        return ByteBuffer.allocate(16).putLong(hi).putLong(lo).array();
    }

    public static String text(int ipVersion, long hi, long lo) {
        if (ipVersion == 4) {
            return ((lo >>> 24) & 0xFF) + "." + ((lo >>> 16) & 0xFF) + "." + ((lo >>> 8) & 0xFF) + "." + (lo & 0xFF);
        }
        try {
            return InetAddress.getByAddress(bytes(6, hi, lo)).getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalStateException("16 bytes are always a valid IPv6 address", e);
        }
    }

    /** Text of a 4- or 16-byte address. */
    public static String text(ByteBuffer address) {
        return text(address.remaining() == 16 ? 6 : 4, hi(address), lo(address));
    }

    /** Parses a literal IPv4 or IPv6 address (never a host name); empty when the text is not one. */
    public static java.util.Optional<String> normalize(String text) {
        if (text == null || text.isBlank() || !(text.indexOf(':') >= 0 || text.chars().allMatch(c -> c == '.' || Character.isDigit(c)))) {
            return java.util.Optional.empty();
        }
        if (text.indexOf(':') < 0) {
            String[] parts = text.split("\\.", -1);
            if (parts.length != 4) {
                return java.util.Optional.empty();
            }
            for (String part : parts) {
                if (part.isEmpty() || part.length() > 3 || Integer.parseInt(part) > 255) {
                    return java.util.Optional.empty();
                }
            }
        }
        try {
            return java.util.Optional.of(InetAddress.getByName(text).getHostAddress());
        } catch (UnknownHostException | SecurityException e) {
            return java.util.Optional.empty();
        }
    }

    private IpAddresses() {
    }
}
