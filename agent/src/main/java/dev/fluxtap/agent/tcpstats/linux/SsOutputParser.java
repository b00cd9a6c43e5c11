package dev.fluxtap.agent.tcpstats.linux;

import dev.fluxtap.agent.tcpstats.IpAddresses;
import dev.fluxtap.agent.tcpstats.TcpConnectionStats;
import dev.fluxtap.agent.tcpstats.TcpState;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Parses {@code ss -tinpe} output of iproute2 4.x to 6.x into connections. Stateless and thread-safe.
 *
 * <p>What varies between versions and is handled here: with {@code -O} one line per socket, without it the
 * {@code -i} details on an indented continuation line; a header line when {@code -H} is absent; a {@code Netid}
 * column when several protocols are listed; IPv6 with brackets ({@code [::1]:22}, iproute2 4.17+) or without
 * ({@code ::1:22}); interface scopes as {@code [fe80::1]%eth0:22}, {@code [fe80::1%eth0]:22} or {@code 0.0.0.0%lo:53};
 * {@code *} wildcards; rates as raw {@code 123bps} ({@code -n}, newer) or scaled {@code 1.5Mbps} (older); keys that
 * are present or absent, in any order. Unknown keys and flags are ignored. A line that cannot be parsed is counted,
 * described and skipped: parsing never throws.
 */
public final class SsOutputParser {

    /** How many problem descriptions a result keeps; the count is always exact. */
    static final int MAX_PROBLEMS = 5;

    /**
     * @param connections parsed sockets (no attribution yet)
     * @param malformed   lines skipped
     * @param problems    the first few reasons, each naming the line number and what was wrong
     */
    public record Result(List<TcpConnectionStats> connections, int malformed, List<String> problems) {
    }

    public Result parse(String output) {
        List<TcpConnectionStats> connections = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        int malformed = 0;
        Tokens tokens = new Tokens();
        int lineNo = 0;
        int pos = 0;
        int length = output.length();
        while (pos < length) {
            int end = lineEnd(output, pos);
            lineNo++;
            int recordLine = lineNo;
            String record;
            int from;
            int to;
            if (isContinuation(output, pos, end)) {
                malformed++;
                addProblem(problems, lineNo, "details line without a socket line before it");
                pos = end + 1;
                continue;
            }
            int next = end + 1;
            if (next < length && isContinuation(output, next, lineEnd(output, next))) {
                // Without -O the -i details follow on indented lines: join them to the socket line.
                StringBuilder joined = new StringBuilder(1024).append(output, pos, end);
                while (next < length && isContinuation(output, next, lineEnd(output, next))) {
                    int nextEnd = lineEnd(output, next);
                    joined.append(' ').append(output, next, nextEnd);
                    lineNo++;
                    next = nextEnd + 1;
                }
                record = joined.toString();
                from = 0;
                to = record.length();
            } else {
                record = output;
                from = pos;
                to = end;
            }
            pos = next;
            String problem = parseRecord(record, from, to, tokens, connections);
            if (problem != null) {
                malformed++;
                addProblem(problems, recordLine, problem);
            }
        }
        return new Result(connections, malformed, problems);
    }

    private static int lineEnd(String s, int from) {
        int end = s.indexOf('\n', from);
        return end < 0 ? s.length() : end;
    }

    /** An indented, non-blank line: the details of the socket line above it. */
    private static boolean isContinuation(String s, int start, int end) {
        if (start >= end || !Character.isWhitespace(s.charAt(start))) {
            return false;
        }
        for (int i = start; i < end; i++) {
            if (!Character.isWhitespace(s.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    private static void addProblem(List<String> problems, int lineNo, String problem) {
        if (problems.size() < MAX_PROBLEMS) {
            problems.add("ss output line " + lineNo + ": " + problem);
        }
    }

    /** Token boundaries in one record, reused between records to keep allocation low on large tables. */
    static final class Tokens {
        int count;
        int[] starts = new int[64];
        int[] ends = new int[64];

        void split(String record, int from, int to) {
            count = 0;
            int depth = 0;
            boolean quoted = false;
            int start = -1;
            int n = to;
            for (int i = from; i < n; i++) {
                char c = record.charAt(i);
                if (start < 0) {
                    if (c == ' ' || c == '\t' || c == '\r') {
                        continue;
                    }
                    start = i;
                }
                if (c == '"') {
                    quoted = !quoted;
                } else if (!quoted && c == '(') {
                    depth++;
                } else if (!quoted && c == ')' && depth > 0) {
                    depth--;
                } else if (!quoted && depth == 0 && (c == ' ' || c == '\t' || c == '\r')) {
                    add(start, i);
                    start = -1;
                }
            }
            if (start >= 0) {
                add(start, n);
            }
        }

        private void add(int start, int end) {
            if (count == starts.length) {
                starts = Arrays.copyOf(starts, count * 2);
                ends = Arrays.copyOf(ends, count * 2);
            }
            starts[count] = start;
            ends[count] = end;
            count++;
        }
    }

    private static boolean tokenIs(String record, Tokens t, int i, String word) {
        return t.ends[i] - t.starts[i] == word.length() && record.startsWith(word, t.starts[i]);
    }

    /** Parses the socket in {@code record[from, to)}; returns null when it was added, else what was wrong. */
    private static String parseRecord(String record, int from, int to, Tokens t, List<TcpConnectionStats> out) {
        t.split(record, from, to);
        int i = 0;
        if (t.count > 0 && record.startsWith("tcp", t.starts[0])) {
            i++;
        }
        if (t.count - i < 5) {
            if (t.count == 0) {
                return null;
            }
            return "expected State Recv-Q Send-Q Local Peer, got " + t.count + " field(s): '"
                    + abbreviate(record.substring(from, to).strip()) + "'";
        }
        String stateText = record.substring(t.starts[i], t.ends[i]);
        if (i == 0 && (stateText.equals("State") || stateText.equals("Netid"))) {
            return null; // header line (no -H)
        }
        Optional<TcpState> state = TcpState.parse(stateText);
        if (state.isEmpty()) {
            return "unknown TCP state '" + abbreviate(stateText) + "'";
        }
        TcpConnectionStats.Builder b = TcpConnectionStats.builder().state(state.get());
        try {
            b.recvQueueBytes(Long.parseLong(record, t.starts[i + 1], t.ends[i + 1], 10));
            b.sendQueueBytes(Long.parseLong(record, t.starts[i + 2], t.ends[i + 2], 10));
        } catch (NumberFormatException e) {
            return "Recv-Q/Send-Q are not numbers: '" + abbreviate(record.substring(t.starts[i + 1], t.ends[i + 1])) + "' '"
                    + abbreviate(record.substring(t.starts[i + 2], t.ends[i + 2])) + "'";
        }
        try {
            Endpoint local = parseEndpoint(record.substring(t.starts[i + 3], t.ends[i + 3]));
            Endpoint peer = parseEndpoint(record.substring(t.starts[i + 4], t.ends[i + 4]));
            b.local(local.address, local.port).remote(peer.address, peer.port);
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        boolean sawIno = false;
        for (int k = i + 5; k < t.count; k++) {
            int ts = t.starts[k];
            int te = t.ends[k];
            try {
                int colon = record.indexOf(':', ts);
                if (colon < 0 || colon >= te) {
                    // "send 1.2Mbps", "pacing_rate 3bps/4bps", "delivery_rate 5bps": the value is the next token.
                    if (k + 1 < t.count) {
                        if (tokenIs(record, t, k, "pacing_rate")) {
                            k++;
                            b.pacingRateBps(parseRate(record, t.starts[k], t.ends[k]));
                        } else if (tokenIs(record, t, k, "delivery_rate")) {
                            k++;
                            b.deliveryRateBps(parseRate(record, t.starts[k], t.ends[k]));
                        }
                    }
                    continue;
                }
                int vs = colon + 1;
                switch (Key.of(record, ts, colon)) {
                    case RTT: {
                        int slash = record.indexOf('/', vs);
                        if (slash < 0 || slash >= te) {
                            b.rttMicros(millisToMicros(record, vs, te));
                        } else {
                            b.rttMicros(millisToMicros(record, vs, slash));
                            b.rttVarMicros(millisToMicros(record, slash + 1, te));
                        }
                        break;
                    }
                    case MINRTT:
                        b.minRttMicros(millisToMicros(record, vs, te));
                        break;
                    case CWND:
                        b.cwnd(Integer.parseInt(record, vs, te, 10));
                        break;
                    case SSTHRESH:
                        b.ssthresh(Integer.parseInt(record, vs, te, 10));
                        break;
                    case MSS:
                        b.mss(Integer.parseInt(record, vs, te, 10));
                        break;
                    case RETRANS: {
                        int slash = record.indexOf('/', vs);
                        if (slash < 0 || slash >= te) {
                            b.retransmitsCurrent(Integer.parseInt(record, vs, te, 10));
                        } else {
                            b.retransmitsCurrent(Integer.parseInt(record, vs, slash, 10));
                            b.retransmitsTotal(Long.parseLong(record, slash + 1, te, 10));
                        }
                        break;
                    }
                    case LOST:
                        b.lost(Long.parseLong(record, vs, te, 10));
                        break;
                    case BYTES_SENT:
                        b.bytesSent(Long.parseLong(record, vs, te, 10));
                        break;
                    case BYTES_ACKED:
                        b.bytesAcked(Long.parseLong(record, vs, te, 10));
                        break;
                    case BYTES_RECEIVED:
                        b.bytesReceived(Long.parseLong(record, vs, te, 10));
                        break;
                    case SEGS_IN:
                        b.segsIn(Long.parseLong(record, vs, te, 10));
                        break;
                    case SEGS_OUT:
                        b.segsOut(Long.parseLong(record, vs, te, 10));
                        break;
                    case DELIVERY_RATE:
                        b.deliveryRateBps(parseRate(record, vs, te));
                        break;
                    case PACING_RATE:
                        b.pacingRateBps(parseRate(record, vs, te));
                        break;
                    case UID:
                        b.uid(Integer.parseInt(record, vs, te, 10));
                        break;
                    case INO:
                        b.inode(Long.parseLong(record, vs, te, 10));
                        sawIno = true;
                        break;
                    case USERS:
                        parseUsers(record, ts, te, b);
                        break;
                    default:
                        break;
                }
            } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
                return "bad value in '" + abbreviate(record.substring(ts, te)) + "': " + e.getMessage();
            }
        }
        if (sawIno && b.uid() == null) {
            // With -e, every ss version prints "uid:N" only when N is not 0 (root) and always prints "ino:".
            b.uid(0);
        }
        if (b.inode() != null && b.inode() == 0) {
            // TIME-WAIT and orphaned sockets have no inode.
            b.inode(null);
        }
        out.add(b.build());
        return null;
    }

    /** The {@code key:} names this parser reads; everything else is ignored. */
    private enum Key {
        RTT("rtt"), MINRTT("minrtt"), CWND("cwnd"), SSTHRESH("ssthresh"), MSS("mss"), RETRANS("retrans"), LOST("lost"),
        BYTES_SENT("bytes_sent"), BYTES_ACKED("bytes_acked"), BYTES_RECEIVED("bytes_received"), SEGS_IN("segs_in"),
        SEGS_OUT("segs_out"), DELIVERY_RATE("delivery_rate"), PACING_RATE("pacing_rate"), UID("uid"), INO("ino"),
        USERS("users"), OTHER("");

        private static final Key[] KNOWN = Arrays.copyOf(values(), values().length - 1);
        private final String name;

        Key(String name) {
            this.name = name;
        }

        static Key of(String record, int start, int colon) {
            int len = colon - start;
            for (Key k : KNOWN) {
                if (k.name.length() == len && record.startsWith(k.name, start)) {
                    return k;
                }
            }
            return OTHER;
        }
    }

    /** Splits on whitespace, except inside parentheses or double quotes ({@code users:(("Web Content",pid=1,fd=2))}). */
    static List<String> tokenize(String record) {
        Tokens t = new Tokens();
        t.split(record, 0, record.length());
        List<String> out = new ArrayList<>(t.count);
        for (int i = 0; i < t.count; i++) {
            out.add(record.substring(t.starts[i], t.ends[i]));
        }
        return out;
    }

    /** {@code users:(("nginx",pid=10,fd=6),("nginx",pid=11,fd=6))}: the first owner. */
    private static void parseUsers(String record, int start, int end, TcpConnectionStats.Builder b) {
        int pidAt = record.indexOf(",pid=", start);
        if (pidAt < 0 || pidAt >= end) {
            return;
        }
        int open = record.indexOf("((\"", start);
        if (open >= 0 && open + 3 <= pidAt) {
            // ss prints the name unescaped; it ends where ",pid=" starts (minus the closing quote).
            int nameEnd = record.charAt(pidAt - 1) == '"' ? pidAt - 1 : pidAt;
            b.processName(record.substring(open + 3, nameEnd));
        }
        int digits = pidAt + 5;
        int stop = digits;
        while (stop < end && Character.isDigit(record.charAt(stop))) {
            stop++;
        }
        b.pid(Integer.parseInt(record, digits, stop, 10));
    }

    record Endpoint(InetAddress address, int port) {
    }

    private static final InetAddress ANY6 = IpAddresses.fromBytes(new byte[16]);

    /**
     * {@code 10.0.0.1:22}, {@code *:*}, {@code [::1]:22}, {@code [fe80::1]%eth0:22}, {@code [fe80::1%eth0]:22},
     * {@code 0.0.0.0%lo:53}, unbracketed {@code ::ffff:10.0.0.1:80} (iproute2 before 4.17).
     */
    static Endpoint parseEndpoint(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("address without port: '" + abbreviate(text) + "'");
        }
        String portText = text.substring(colon + 1);
        int port;
        if (portText.equals("*")) {
            port = 0;
        } else {
            try {
                port = Integer.parseInt(portText);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("port is not a number (was ss run without -n?): '" + abbreviate(text) + "'");
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port out of range: '" + abbreviate(text) + "'");
            }
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[")) {
            int close = host.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("unclosed '[' in address: '" + abbreviate(text) + "'");
            }
            host = host.substring(1, close);
        }
        int scope = host.indexOf('%');
        if (scope >= 0) {
            host = host.substring(0, scope);
        }
        if (host.equals("*")) {
            // iproute2 prints '*' for the dual-stack IPv6 wildcard (and, before 4.17, for 0.0.0.0 too).
            return new Endpoint(ANY6, port);
        }
        try {
            return new Endpoint(IpAddresses.parseLiteral(host), port);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad address '" + abbreviate(text) + "': " + e.getMessage());
        }
    }

    /** {@code 27594105263bps}, {@code 35840.0Mbps}, {@code 1.2Gbps}, {@code 500Kbps}, {@code 3bps/4bps} (current/max). */
    static long parseRate(String text) {
        return parseRate(text, 0, text.length());
    }

    static long parseRate(String s, int start, int end) {
        int slash = s.indexOf('/', start);
        if (slash >= 0 && slash < end) {
            end = slash;
        }
        if (end - start < 3 || !s.startsWith("bps", end - 3)) {
            throw new IllegalArgumentException("rate without 'bps' unit: '" + abbreviate(s.substring(start, end)) + "'");
        }
        end -= 3;
        double scale = 1;
        if (end > start) {
            switch (s.charAt(end - 1)) {
                case 'K':
                case 'k':
                    scale = 1e3;
                    break;
                case 'M':
                    scale = 1e6;
                    break;
                case 'G':
                    scale = 1e9;
                    break;
                case 'T':
                    scale = 1e12;
                    break;
                default:
                    break;
            }
            if (scale != 1) {
                end--;
            }
        }
        int dot = s.indexOf('.', start);
        if (scale == 1 && (dot < 0 || dot >= end)) {
            return Long.parseLong(s, start, end, 10);
        }
        return Math.round(Double.parseDouble(s.substring(start, end)) * scale);
    }

    /** ss prints times in milliseconds with up to three decimals. */
    static long millisToMicros(String text) {
        return millisToMicros(text, 0, text.length());
    }

    static long millisToMicros(String s, int start, int end) {
        int dot = s.indexOf('.', start);
        if (dot < 0 || dot >= end) {
            return Long.parseLong(s, start, end, 10) * 1000;
        }
        long whole = dot == start ? 0 : Long.parseLong(s, start, dot, 10);
        int fracStart = dot + 1;
        int fracLen = end - fracStart;
        if (fracLen <= 0 || fracLen > 6 || !Character.isDigit(s.charAt(fracStart))) {
            throw new NumberFormatException("not a time in ms: '" + s.substring(start, end) + "'");
        }
        long fraction = Long.parseLong(s, fracStart, end, 10);
        for (int k = fracLen; k < 3; k++) {
            fraction *= 10;
        }
        for (int k = fracLen; k > 3; k--) {
            fraction = (fraction + 5) / 10;
        }
        return whole * 1000 + fraction;
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
