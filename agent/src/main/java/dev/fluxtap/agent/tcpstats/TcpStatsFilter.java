package dev.fluxtap.agent.tcpstats;

/**
 * The CLI's selection: a port range matched against the local OR the remote port, a container id (full or a prefix
 * of at least 4 characters, as {@code docker ps} shows 12), a state, a network namespace inode. Null means "any".
 */
public record TcpStatsFilter(PortRange ports, String container, TcpState state, Long netnsInode) {

    public static final TcpStatsFilter ALL = new TcpStatsFilter(null, null, null, null);

    /** Inclusive port range. */
    public record PortRange(int from, int to) {

        public PortRange {
            if (from < 0 || to > 65535 || from > to) {
                throw new IllegalArgumentException("port range must be N or A-B with 0 <= A <= B <= 65535, got " + from + "-" + to);
            }
        }

        /** Parses {@code 9000} or {@code 9000-9001}; the message says what was wrong. */
        public static PortRange parse(String text) {
            String t = text.strip();
            int dash = t.indexOf('-', 1);
            try {
                if (dash < 0) {
                    int port = Integer.parseInt(t);
                    return new PortRange(port, port);
                }
                return new PortRange(Integer.parseInt(t.substring(0, dash).strip()), Integer.parseInt(t.substring(dash + 1).strip()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--port must be N or A-B (e.g. 9000-9001), got '" + text + "'");
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--port '" + text + "': " + e.getMessage());
            }
        }
    }

    public boolean matches(TcpConnectionStats c) {
        if (ports != null && !c.hasPortIn(ports.from(), ports.to())) {
            return false;
        }
        if (state != null && c.state() != state) {
            return false;
        }
        if (netnsInode != null && !netnsInode.equals(c.netnsInode())) {
            return false;
        }
        return container == null || matchesContainer(c.containerId(), container);
    }

    public static boolean matchesContainer(String containerId, String wanted) {
        if (containerId == null) {
            return false;
        }
        return containerId.equals(wanted) || (wanted.length() >= 4 && containerId.startsWith(wanted));
    }
}
