package dev.fluxtap.agent.tcpstats;

import java.util.List;

/**
 * What one read of a {@link TcpStatsSource} gave.
 *
 * @param source             source name ({@code ss}, {@code procfs}, {@code windows})
 * @param namespacesScanned  network namespaces read successfully
 * @param namespacesSkipped  namespaces found but not read because of the per-poll cap
 * @param collectErrors      namespaces or tables that failed
 * @param malformedLines     lines of tool output that could not be parsed and were skipped
 * @param connections        the connections, attributed
 * @param errors             one operator-readable message per failure (bounded), for the CLI and the log
 */
public record TcpStatsReading(
        String source,
        int namespacesScanned,
        int namespacesSkipped,
        int collectErrors,
        int malformedLines,
        List<TcpConnectionStats> connections,
        List<String> errors) {

    public TcpStatsReading {
        connections = List.copyOf(connections);
        errors = List.copyOf(errors);
    }
}
