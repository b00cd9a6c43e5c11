package dev.fluxtap.aggregator.config;

import java.time.Duration;

/**
 * Flow store and time windows.
 *
 * @param retention    event time the store, the metric history and the top-talker windows keep
 * @param maxFlows     bound of the store; the least recently updated flows are evicted first (counted)
 * @param maxSockets   bound of the TCP stats join index
 * @param historyStep  resolution of the metric history
 * @param liveRefresh  wall-clock interval at which changed flows are pushed to the store when no tick published them,
 *                     and the least wall time between two publications at ticks (see {@code LivePacing})
 */
public record StoreConfig(Duration retention, int maxFlows, int maxSockets, Duration historyStep, Duration liveRefresh) {

    public StoreConfig {
        Settings.positive("retention", retention);
        Settings.range("max-flows", maxFlows, 1, 50_000_000);
        Settings.range("max-sockets", maxSockets, 1, 50_000_000);
        Settings.positive("history-step", historyStep);
        Settings.positive("live-refresh", liveRefresh);
        if (retention.compareTo(Duration.ofMinutes(60)) < 0) {
            throw new IllegalArgumentException("--retention: must be at least 60m, the longest top-talker window (got " + retention + ")");
        }
        if (retention.toNanos() / historyStep.toNanos() > 100_000) {
            throw new IllegalArgumentException("--history-step: too fine for the retention (more than 100000 points)");
        }
    }

    public static StoreConfig defaults() {
        return new StoreConfig(Duration.ofMinutes(60), 500_000, 1_000_000, Duration.ofSeconds(10), Duration.ofMillis(500));
    }
}
