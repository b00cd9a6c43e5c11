package dev.fluxtap.aggregator.serve.ws;

import dev.fluxtap.aggregator.flow.Flow;
import dev.fluxtap.aggregator.serve.rest.RestRoutes;
import java.util.List;
import java.util.Map;

/**
 * One stored flow view on its way to the WebSocket subscribers of the flows stream. Its JSON payload is built at most
 * once, by the first subscriber whose filter matches, and shared by all others: the cost of an update does not grow
 * with the number of subscribers beyond the envelope of each message.
 */
final class FlowUpdate {

    private final Flow flow;
    private volatile String json;

    FlowUpdate(Flow flow) {
        this.flow = flow;
    }

    Flow flow() {
        return flow;
    }

    /** The payload {@code {"flows":[...]}}; two threads racing may both build it, with the same result. */
    String json() {
        String j = json;
        if (j == null) {
            j = WsMessages.json(Map.of("flows", List.of(RestRoutes.toJson(flow))));
            json = j;
        }
        return j;
    }
}
