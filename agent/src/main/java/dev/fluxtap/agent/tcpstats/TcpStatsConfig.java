package dev.fluxtap.agent.tcpstats;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * TCP stats settings. Invalid values fail at construction, naming the setting.
 *
 * @param hostId             host id put in every snapshot (Kafka key of {@code fluxtap.tcpstats.v1})
 * @param interval           time between polls
 * @param allNamespaces      read every network namespace on the host; false reads only the agent's own
 * @param maxNamespaces      most namespaces read per poll (the agent's own always first); the rest are counted as skipped
 * @param commandTimeout     longest one {@code ss}/{@code nsenter} child may run before it is killed and counted as an error
 * @param maxOutputBytes     largest output accepted from one child; more is an error for that namespace
 * @param commandLineChars   command lines are truncated to this many characters
 * @param topProcesses       processes with their own connection-count series; the others are summed under {@code other}
 * @param includeListening   also report LISTEN sockets ({@code ss -a})
 * @param procRoot           procfs mount point
 */
public record TcpStatsConfig(
        String hostId,
        Duration interval,
        boolean allNamespaces,
        int maxNamespaces,
        Duration commandTimeout,
        int maxOutputBytes,
        int commandLineChars,
        int topProcesses,
        boolean includeListening,
        Path procRoot) {

    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);

    public TcpStatsConfig {
        if (hostId == null || hostId.isBlank()) {
            throw new IllegalArgumentException("tcpstats.hostId must not be blank");
        }
        Objects.requireNonNull(interval, "tcpstats.interval");
        if (interval.compareTo(Duration.ofMillis(100)) < 0) {
            throw new IllegalArgumentException("tcpstats.interval must be at least 100 ms, got " + interval);
        }
        if (maxNamespaces < 1) {
            throw new IllegalArgumentException("tcpstats.maxNamespaces must be at least 1, got " + maxNamespaces);
        }
        Objects.requireNonNull(commandTimeout, "tcpstats.commandTimeout");
        if (commandTimeout.compareTo(Duration.ofMillis(100)) < 0) {
            throw new IllegalArgumentException("tcpstats.commandTimeout must be at least 100 ms, got " + commandTimeout);
        }
        if (maxOutputBytes < 64 * 1024) {
            throw new IllegalArgumentException("tcpstats.maxOutputBytes must be at least 65536, got " + maxOutputBytes);
        }
        if (commandLineChars < 0 || commandLineChars > 65536) {
            throw new IllegalArgumentException("tcpstats.commandLineChars must be in 0..65536, got " + commandLineChars);
        }
        if (topProcesses < 1 || topProcesses > 1000) {
            throw new IllegalArgumentException("tcpstats.topProcesses must be in 1..1000, got " + topProcesses);
        }
        Objects.requireNonNull(procRoot, "tcpstats.procRoot");
    }

    /** Every namespace, polled every 5 s, children killed after 5 s, 32 MiB of output, top 10 processes. */
    public static TcpStatsConfig defaults() {
        return new TcpStatsConfig(localHostName(), DEFAULT_INTERVAL, true, 256, Duration.ofSeconds(5), 32 * 1024 * 1024, 256,
                10, false, Path.of("/proc"));
    }

    public TcpStatsConfig withInterval(Duration newInterval) {
        return new TcpStatsConfig(hostId, newInterval, allNamespaces, maxNamespaces, commandTimeout, maxOutputBytes,
                commandLineChars, topProcesses, includeListening, procRoot);
    }

    public TcpStatsConfig withAllNamespaces(boolean all) {
        return new TcpStatsConfig(hostId, interval, all, maxNamespaces, commandTimeout, maxOutputBytes, commandLineChars,
                topProcesses, includeListening, procRoot);
    }

    public TcpStatsConfig withIncludeListening(boolean listening) {
        return new TcpStatsConfig(hostId, interval, allNamespaces, maxNamespaces, commandTimeout, maxOutputBytes,
                commandLineChars, topProcesses, listening, procRoot);
    }

    public TcpStatsConfig withMaxNamespaces(int max) {
        return new TcpStatsConfig(hostId, interval, allNamespaces, max, commandTimeout, maxOutputBytes, commandLineChars,
                topProcesses, includeListening, procRoot);
    }

    private static String localHostName() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
