package dev.fluxtap.standalone;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The independent count of the fleet test: packets and IP bytes per flow and direction, from {@code tcpdump -nn -tt -v -r}
 * of a capture file (IPv4 only). With {@code -v} tcpdump prints each IPv4 packet as a header line with the IP total length
 * ({@code ... proto TCP (6), length 60)}) followed by an indented line with the endpoints ({@code 10.1.2.11.40000 >
 * 10.1.2.12.47001: Flags [S], ...}; ICMP without ports). Keys use the aggregator's conventions: an ICMP echo is one flow
 * {@code requester:0 <> responder:2048} (type 8 * 256 in the destination port), and endpoints are in canonical order.
 */
final class TcpdumpFlows {

    /** Packets and IP bytes from endpoint a to b and from b to a, a being the lower endpoint of the {@link #key}. */
    record Count(long abPackets, long abBytes, long baPackets, long baBytes) {
        static final Count ZERO = new Count(0, 0, 0, 0);

        Count plus(boolean fromA, long bytes) {
            return fromA ? new Count(abPackets + 1, abBytes + bytes, baPackets, baBytes) : new Count(abPackets, abBytes, baPackets + 1, baBytes + bytes);
        }

        static Count max(Count x, Count y) {
            return new Count(Math.max(x.abPackets, y.abPackets), Math.max(x.abBytes, y.abBytes), Math.max(x.baPackets, y.baPackets),
                    Math.max(x.baBytes, y.baBytes));
        }

        @Override
        public String toString() {
            return "a>b " + abPackets + " pkts " + abBytes + " B, b>a " + baPackets + " pkts " + baBytes + " B";
        }
    }

    private static final Pattern HEADER = Pattern.compile("^\\d+\\.\\d+ IP \\(.*proto \\S+ \\((\\d+)\\), length (\\d+)");
    private static final Pattern ENDPOINTS = Pattern.compile("^\\s+(\\S+) > (\\S+): (.*)$");
    private static final int ICMP_ECHO = 8 * 256;

    private TcpdumpFlows() {
    }

    /** Flow key → count, for every IPv4 packet in the capture file. */
    static Map<String, Count> read(Path pcap) throws IOException, InterruptedException {
        return parse(FleetNetwork.run("tcpdump", "-nn", "-tt", "-v", "-r", pcap.toString()));
    }

    static Map<String, Count> parse(String tcpdumpOutput) {
        Map<String, Count> flows = new TreeMap<>();
        int protocol = -1;
        long length = 0;
        for (String line : tcpdumpOutput.split("\n")) {
            if (line.startsWith("reading from file") || line.isBlank()) {
                continue;
            }
            Matcher header = HEADER.matcher(line);
            if (header.find()) {
                protocol = Integer.parseInt(header.group(1));
                length = Long.parseLong(header.group(2));
                continue;
            }
            if (!Character.isWhitespace(line.charAt(0))) {
                throw new IllegalArgumentException("not an IPv4 packet of tcpdump -v: " + line);
            }
            Matcher ends = ENDPOINTS.matcher(line);
            if (protocol < 0 || !ends.find()) {
                continue; // a further line of a decoded payload
            }
            String src;
            String dst;
            if (protocol == 1) {
                String what = ends.group(3);
                if (what.startsWith("ICMP echo request")) {
                    src = ends.group(1) + ":0";
                    dst = ends.group(2) + ":" + ICMP_ECHO;
                } else if (what.startsWith("ICMP echo reply")) {
                    src = ends.group(1) + ":" + ICMP_ECHO;
                    dst = ends.group(2) + ":0";
                } else {
                    throw new IllegalArgumentException("unexpected ICMP message in the fleet traffic: " + line.trim());
                }
            } else {
                src = endpoint(ends.group(1));
                dst = endpoint(ends.group(2));
            }
            boolean fromA = src.compareTo(dst) <= 0;
            flows.merge(key(protocol, src, dst), Count.ZERO.plus(fromA, length), TcpdumpFlows::sum);
            protocol = -1;
        }
        return flows;
    }

    /** "6 10.1.2.11:40000 <> 10.1.2.12:47001": protocol and the two "ip:port" endpoints, lower first. */
    static String key(int protocol, String endpoint1, String endpoint2) {
        return endpoint1.compareTo(endpoint2) <= 0 ? protocol + " " + endpoint1 + " <> " + endpoint2 : protocol + " " + endpoint2 + " <> " + endpoint1;
    }

    /** tcpdump's "10.1.2.11.40000" (address, dot, port) as "10.1.2.11:40000". */
    private static String endpoint(String tcpdumpEndpoint) {
        int dot = tcpdumpEndpoint.lastIndexOf('.');
        return tcpdumpEndpoint.substring(0, dot) + ":" + tcpdumpEndpoint.substring(dot + 1);
    }

    private static Count sum(Count x, Count y) {
        return new Count(x.abPackets + y.abPackets, x.abBytes + y.abBytes, x.baPackets + y.baPackets, x.baBytes + y.baBytes);
    }
}
