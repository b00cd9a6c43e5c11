package dev.fluxtap.agent.tcpstats.linux;

import dev.fluxtap.agent.tcpstats.IpAddresses;
import dev.fluxtap.agent.tcpstats.TcpConnectionStats;
import dev.fluxtap.agent.tcpstats.TcpState;
import java.net.InetAddress;
import java.util.ArrayList;
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
        StringBuilder record = new StringBuilder(512);
        int recordLine = 0;
        int lineNo = 0;
        int pos = 0;
        int length = output.length();
        while (pos <= length) {
            int end = output.indexOf('\n', pos);
            if (end < 0) {
                end = length;
            }
            String line = output.substring(pos, end);
            pos = end + 1;
            lineNo++;
            boolean continuation = !line.isEmpty() && Character.isWhitespace(line.charAt(0)) && !line.isBlank();
            if (continuation && record.length() > 0) {
                record.append(' ').append(line.strip());
                continue;
            }
            if (record.length() > 0) {
                String problem = parseRecord(record.toString(), connections);
                if (problem != null) {
                    malformed++;
                    addProblem(problems, recordLine, problem);
                }
                record.setLength(0);
            }
            String stripped = line.strip();
            if (stripped.isEmpty() || stripped.startsWith("State ") || stripped.startsWith("Netid ")) {
                continue;
            }
            if (continuation) {
                malformed++;
                addProblem(problems, lineNo, "details line without a socket line before it");
                continue;
            }
            record.append(stripped);
            recordLine = lineNo;
        }
        if (record.length() > 0) {
            String problem = parseRecord(record.toString(), connections);
            if (problem != null) {
                malformed++;
                addProblem(problems, recordLine, problem);
            }
        }
        return new Result(connections, malformed, problems);
    }

    private static void addProblem(List<String> problems, int lineNo, String problem) {
        if (problems.size() < MAX_PROBLEMS) {
            problems.add("ss output line " + lineNo + ": " + problem);
        }
    }

    /** Parses one socket; returns null when it was added, else what was wrong. */
    private static String parseRecord(String record, List<TcpConnectionStats> out) {
        List<String> tokens = tokenize(record);
        int i = 0;
        if (!tokens.isEmpty() && tokens.get(0).startsWith("tcp")) {
            i++;
        }
        if (tokens.size() - i < 5) {
            return "expected State Recv-Q Send-Q Local Peer, got " + tokens.size() + " field(s): '" + abbreviate(record) + "'";
        }
        Optional<TcpState> state = TcpState.parse(tokens.get(i));
        if (state.isEmpty()) {
            return "unknown TCP state '" + abbreviate(tokens.get(i)) + "'";
        }
        TcpConnectionStats.Builder b = TcpConnectionStats.builder().state(state.get());
        try {
            b.recvQueueBytes(Long.parseLong(tokens.get(i + 1)));
            b.sendQueueBytes(Long.parseLong(tokens.get(i + 2)));
        } catch (NumberFormatException e) {
            return "Recv-Q/Send-Q are not numbers: '" + abbreviate(tokens.get(i + 1)) + "' '" + abbreviate(tokens.get(i + 2)) + "'";
        }
        try {
            Endpoint local = parseEndpoint(tokens.get(i + 3));
            Endpoint peer = parseEndpoint(tokens.get(i + 4));
            b.local(local.address, local.port).remote(peer.address, peer.port);
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        boolean sawIno = false;
        for (int t = i + 5; t < tokens.size(); t++) {
            String token = tokens.get(t);
            try {
                if (token.startsWith("users:(")) {
                    parseUsers(token, b);
                    continue;
                }
                int colon = token.indexOf(':');
                if (colon < 0) {
                    // "send 1.2Mbps", "pacing_rate 3bps/4bps", "delivery_rate 5bps": the value is the next token.
                    if (t + 1 < tokens.size() && (token.equals("pacing_rate") || token.equals("delivery_rate"))) {
                        Long rate = parseRate(tokens.get(++t));
                        if (token.equals("pacing_rate")) {
                            b.pacingRateBps(rate);
                        } else {
                            b.deliveryRateBps(rate);
                        }
                    }
                    continue;
                }
                String key = token.substring(0, colon);
                String value = token.substring(colon + 1);
                switch (key) {
                    case "rtt": {
                        int slash = value.indexOf('/');
                        if (slash < 0) {
                            b.rttMicros(millisToMicros(value));
                        } else {
                            b.rttMicros(millisToMicros(value.substring(0, slash)));
                            b.rttVarMicros(millisToMicros(value.substring(slash + 1)));
                        }
                        break;
                    }
                    case "minrtt":
                        b.minRttMicros(millisToMicros(value));
                        break;
                    case "cwnd":
                        b.cwnd(Integer.parseInt(value));
                        break;
                    case "ssthresh":
                        b.ssthresh(Integer.parseInt(value));
                        break;
                    case "mss":
                        b.mss(Integer.parseInt(value));
                        break;
                    case "retrans": {
                        int slash = value.indexOf('/');
                        if (slash < 0) {
                            b.retransmitsCurrent(Integer.parseInt(value));
                        } else {
                            b.retransmitsCurrent(Integer.parseInt(value.substring(0, slash)));
                            b.retransmitsTotal(Long.parseLong(value.substring(slash + 1)));
                        }
                        break;
                    }
                    case "lost":
                        b.lost(Long.parseLong(value));
                        break;
                    case "bytes_sent":
                        b.bytesSent(Long.parseLong(value));
                        break;
                    case "bytes_acked":
                        b.bytesAcked(Long.parseLong(value));
                        break;
                    case "bytes_received":
                        b.bytesReceived(Long.parseLong(value));
                        break;
                    case "segs_in":
                        b.segsIn(Long.parseLong(value));
                        break;
                    case "segs_out":
                        b.segsOut(Long.parseLong(value));
                        break;
                    case "delivery_rate":
                        b.deliveryRateBps(parseRate(value));
                        break;
                    case "pacing_rate":
                        b.pacingRateBps(parseRate(value));
                        break;
                    case "uid":
                        b.uid(Integer.parseInt(value));
                        break;
                    case "ino":
                        b.inode(Long.parseLong(value));
                        sawIno = true;
                        break;
                    default:
                        break;
                }
            } catch (IllegalArgumentException e) {
                return "bad value in '" + abbreviate(token) + "': " + e.getMessage();
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

    /** Splits on whitespace, except inside parentheses or double quotes ({@code users:(("Web Content",pid=1,fd=2))}). */
    static List<String> tokenize(String record) {
        List<String> tokens = new ArrayList<>(48);
        int depth = 0;
        boolean quoted = false;
        int start = -1;
        for (int i = 0; i < record.length(); i++) {
            char c = record.charAt(i);
            if (start < 0) {
                if (Character.isWhitespace(c)) {
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
            } else if (!quoted && depth == 0 && Character.isWhitespace(c)) {
                tokens.add(record.substring(start, i));
                start = -1;
            }
        }
        if (start >= 0) {
            tokens.add(record.substring(start));
        }
        return tokens;
    }

    /** {@code users:(("nginx",pid=10,fd=6),("nginx",pid=11,fd=6))}: the first owner. */
    private static void parseUsers(String token, TcpConnectionStats.Builder b) {
        int pidAt = token.indexOf(",pid=");
        if (pidAt < 0) {
            return;
        }
        int open = token.indexOf("((\"");
        if (open >= 0 && open + 3 <= pidAt) {
            // ss prints the name unescaped; it ends where ",pid=" starts (minus the closing quote).
            int nameEnd = token.charAt(pidAt - 1) == '"' ? pidAt - 1 : pidAt;
            b.processName(token.substring(open + 3, nameEnd));
        }
        int digits = pidAt + 5;
        int end = digits;
        while (end < token.length() && Character.isDigit(token.charAt(end))) {
            end++;
        }
        b.pid(Integer.parseInt(token.substring(digits, end)));
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
        String t = text;
        int slash = t.indexOf('/');
        if (slash >= 0) {
            t = t.substring(0, slash);
        }
        if (!t.endsWith("bps")) {
            throw new IllegalArgumentException("rate without 'bps' unit: '" + abbreviate(text) + "'");
        }
        t = t.substring(0, t.length() - 3);
        double scale = 1;
        if (!t.isEmpty()) {
            switch (t.charAt(t.length() - 1)) {
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
                t = t.substring(0, t.length() - 1);
            }
        }
        if (scale == 1 && t.indexOf('.') < 0) {
            return Long.parseLong(t);
        }
        return Math.round(Double.parseDouble(t) * scale);
    }

    /** ss prints times in milliseconds with up to three decimals. */
    static long millisToMicros(String text) {
        int dot = text.indexOf('.');
        if (dot < 0) {
            return Long.parseLong(text) * 1000;
        }
        long whole = dot == 0 ? 0 : Long.parseLong(text.substring(0, dot));
        String frac = text.substring(dot + 1);
        if (frac.isEmpty() || frac.length() > 6 || frac.charAt(0) == '-' || frac.charAt(0) == '+') {
            throw new NumberFormatException("not a time in ms: '" + text + "'");
        }
        long fraction = Long.parseLong(frac);
        for (int k = frac.length(); k < 3; k++) {
            fraction *= 10;
        }
        for (int k = frac.length(); k > 3; k--) {
            fraction = (fraction + 5) / 10;
        }
        return whole * 1000 + fraction;
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
