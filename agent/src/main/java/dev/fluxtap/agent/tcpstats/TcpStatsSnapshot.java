package dev.fluxtap.agent.tcpstats;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * All TCP connections of one host at one poll.
 *
 * @param host              host the snapshot was taken on
 * @param time              time of the poll
 * @param source            where the data came from: {@code ss}, {@code procfs} or {@code windows}
 * @param namespacesScanned network namespaces read in this poll
 * @param collectErrors     namespaces or sources that failed in this poll
 * @param connections       the connections
 */
public record TcpStatsSnapshot(
        String host, Instant time, String source, int namespacesScanned, int collectErrors, List<TcpConnectionStats> connections) {

    public TcpStatsSnapshot {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(source, "source");
        if (namespacesScanned < 0 || collectErrors < 0) {
            throw new IllegalArgumentException("negative counts: namespacesScanned=" + namespacesScanned + " collectErrors=" + collectErrors);
        }
        connections = List.copyOf(connections);
    }
}
