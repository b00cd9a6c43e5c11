package dev.fluxtap.aggregator.serve;

import java.util.List;

/** A group of routes the server mounts: REST today; WebSocket and static dashboard files plug in the same way. */
public interface RouteModule {
    List<Route> routes();
}
