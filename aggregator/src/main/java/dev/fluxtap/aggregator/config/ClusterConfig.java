package dev.fluxtap.aggregator.config;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * Scaling out: several instances in one consumer group share the packets partitions and exchange partials.
 *
 * @param instanceId       this instance's name in partials and answers; empty picks host name + process id
 * @param advertisedUrl    base URL peers use for flow-query fan-out; empty derives http(s)://host-name:port from the listener
 * @param partialsInterval how often this instance publishes its partial to fluxtap.aggregates.v1
 * @param peerTimeout      a peer whose latest partial is older than this is left out of global answers and fan-out
 * @param fanoutTimeout    how long a flow query waits for each peer before answering without it (marked incomplete)
 * @param partialTopN      top talkers per window, dimension and metric in a partial (bounds its size)
 */
public record ClusterConfig(Optional<String> instanceId, Optional<URI> advertisedUrl, Duration partialsInterval, Duration peerTimeout,
                            Duration fanoutTimeout, int partialTopN) {

    public ClusterConfig {
        instanceId = instanceId == null ? Optional.empty() : instanceId.filter(s -> !s.isBlank());
        advertisedUrl = advertisedUrl == null ? Optional.empty() : advertisedUrl;
        advertisedUrl.ifPresent(u -> {
            if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
                throw new IllegalArgumentException("--advertised-url: '" + u + "' is not an http(s)://host:port URL");
            }
        });
        Settings.positive("partials-interval", partialsInterval);
        Settings.positive("peer-timeout", peerTimeout);
        Settings.positive("fanout-timeout", fanoutTimeout);
        if (peerTimeout.compareTo(partialsInterval) <= 0) {
            throw new IllegalArgumentException("--peer-timeout: must be longer than --partials-interval (got " + peerTimeout + ")");
        }
        Settings.range("partial-top-n", partialTopN, 10, 100_000);
    }

    public static ClusterConfig defaults() {
        return new ClusterConfig(Optional.empty(), Optional.empty(), Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofSeconds(2), 1000);
    }

    public ClusterConfig withInstanceId(String id) {
        return new ClusterConfig(Optional.of(id), advertisedUrl, partialsInterval, peerTimeout, fanoutTimeout, partialTopN);
    }

    public ClusterConfig withIntervals(Duration partials, Duration peers) {
        return new ClusterConfig(instanceId, advertisedUrl, partials, peers, fanoutTimeout, partialTopN);
    }
}
