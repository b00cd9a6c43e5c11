package dev.fluxtap.aggregator.flow;

/** What one agent saw of a flow; fwd is initiator to responder. */
public record FlowObserver(String agentId, Counters fwd, Counters rev, long firstSeenMicros, long lastSeenMicros,
                           long retransmitsFwd, long retransmitsRev) {
}
