package dev.fluxtap.agent.tcpstats;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * IP literals without DNS: parsing never resolves a name, formatting follows RFC 5952 (compressed IPv6, IPv4-mapped
 * addresses as {@code ::ffff:a.b.c.d}). IPv4-mapped addresses stay 16 bytes so that an IPv6 socket stays IPv6.
 */
public final class IpAddresses {

    private IpAddresses() {
    }

    /** Parses a numeric IPv4 or IPv6 literal (no brackets, no scope); throws on anything else, names included. */
    public static InetAddress parseLiteral(String text) {
        if (text.indexOf(':') >= 0) {
            return parseIpv6(text);
        }
        return fromBytes(parseIpv4(text));
    }

    /** Wraps raw network-order bytes (4 or 16) without converting IPv4-mapped addresses to IPv4. */
    public static InetAddress fromBytes(byte[] address) {
        try {
            if (address.length == 16) {
                return Inet6Address.getByAddress(null, address, null);
            }
            return InetAddress.getByAddress(address);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("address must have 4 or 16 bytes, got " + address.length, e);
        }
    }

    public static String format(InetAddress address) {
        byte[] b = address.getAddress();
        if (b.length == 4) {
            return (b[0] & 0xff) + "." + (b[1] & 0xff) + "." + (b[2] & 0xff) + "." + (b[3] & 0xff);
        }
        boolean mapped = true;
        for (int i = 0; i < 10; i++) {
            mapped &= b[i] == 0;
        }
        mapped &= (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
        if (mapped) {
            return "::ffff:" + (b[12] & 0xff) + "." + (b[13] & 0xff) + "." + (b[14] & 0xff) + "." + (b[15] & 0xff);
        }
        int[] words = new int[8];
        for (int i = 0; i < 8; i++) {
            words[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (words[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && words[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(words[i]));
        }
        return sb.toString();
    }

    private static byte[] parseIpv4(String text) {
        byte[] out = new byte[4];
        int part = 0;
        int value = -1;
        for (int i = 0; i <= text.length(); i++) {
            char c = i < text.length() ? text.charAt(i) : '.';
            if (c == '.') {
                if (value < 0 || part > 3) {
                    throw new IllegalArgumentException("not an IPv4 address: '" + text + "'");
                }
                out[part++] = (byte) value;
                value = -1;
            } else if (c >= '0' && c <= '9') {
                value = (value < 0 ? 0 : value * 10) + (c - '0');
                if (value > 255) {
                    throw new IllegalArgumentException("not an IPv4 address: '" + text + "'");
                }
            } else {
                throw new IllegalArgumentException("not an IPv4 address: '" + text + "'");
            }
        }
        if (part != 4) {
            throw new IllegalArgumentException("not an IPv4 address: '" + text + "'");
        }
        return out;
    }

    private static InetAddress parseIpv6(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
            if (!ok) {
                throw new IllegalArgumentException("not an IPv6 address: '" + text + "'");
            }
        }
        try {
            // A literal of hex digits, colons and dots: InetAddress parses it without any lookup.
            InetAddress parsed = InetAddress.getByName(text);
            if (parsed instanceof Inet4Address) {
                // The JDK turns ::ffff:a.b.c.d into IPv4; keep the 16 bytes the socket really has.
                byte[] v4 = parsed.getAddress();
                byte[] mapped = new byte[16];
                mapped[10] = (byte) 0xff;
                mapped[11] = (byte) 0xff;
                System.arraycopy(v4, 0, mapped, 12, 4);
                return fromBytes(mapped);
            }
            return fromBytes(parsed.getAddress());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IPv6 address: '" + text + "'", e);
        }
    }
}
