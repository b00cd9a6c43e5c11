package dev.fluxtap.aggregator.serve;

import java.time.Duration;
import java.util.List;

/** A group of routes the server mounts: REST today; WebSocket and static dashboard files plug in the same way. */
public interface RouteModule {
    List<Route> routes();

    /** Called when the server stops, after it stopped accepting: end long-lived exchanges within the deadline. */
    default void drain(Duration deadline) {
    }
}
