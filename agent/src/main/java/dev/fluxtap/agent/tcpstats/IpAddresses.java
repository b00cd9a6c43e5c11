package dev.fluxtap.agent.tcpstats;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

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

    /** RFC 4291 text forms: full, {@code ::}-compressed, with a dotted IPv4 tail ({@code ::ffff:10.0.0.1}). */
    private static InetAddress parseIpv6(String text) {
        byte[] out = new byte[16];
        int n = text.length();
        int words = 0;
        int gap = -1;
        int i = 0;
        if (n >= 2 && text.charAt(0) == ':' && text.charAt(1) == ':') {
            gap = 0;
            i = 2;
        } else if (n > 0 && text.charAt(0) == ':') {
            throw notIpv6(text);
        }
        while (i < n) {
            int start = i;
            int value = 0;
            while (i < n && i - start < 5) {
                int d = Character.digit(text.charAt(i), 16);
                if (d < 0) {
                    break;
                }
                value = value * 16 + d;
                i++;
            }
            if (i < n && text.charAt(i) == '.') {
                // Dotted IPv4 in the last 32 bits.
                if (words > 6) {
                    throw notIpv6(text);
                }
                byte[] v4 = parseIpv4(text.substring(start));
                System.arraycopy(v4, 0, out, words * 2, 4);
                words += 2;
                i = n;
                break;
            }
            if (i == start || i - start > 4 || words >= 8) {
                throw notIpv6(text);
            }
            out[words * 2] = (byte) (value >>> 8);
            out[words * 2 + 1] = (byte) value;
            words++;
            if (i == n) {
                break;
            }
            if (text.charAt(i) != ':') {
                throw notIpv6(text);
            }
            i++;
            if (i < n && text.charAt(i) == ':') {
                if (gap >= 0) {
                    throw notIpv6(text);
                }
                gap = words;
                i++;
            } else if (i == n) {
                throw notIpv6(text);
            }
        }
        if (gap >= 0) {
            if (words > 7) {
                throw notIpv6(text);
            }
            int move = (words - gap) * 2;
            System.arraycopy(out, gap * 2, out, 16 - move, move);
            Arrays.fill(out, gap * 2, 16 - move, (byte) 0);
        } else if (words != 8) {
            throw notIpv6(text);
        }
        return fromBytes(out);
    }

    private static IllegalArgumentException notIpv6(String text) {
        return new IllegalArgumentException("not an IPv6 address: '" + text + "'");
    }
}
