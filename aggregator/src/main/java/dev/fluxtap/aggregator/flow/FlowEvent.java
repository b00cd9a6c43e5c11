package dev.fluxtap.aggregator.flow;

import java.util.List;

/**
 * Something a flow table tells its listener. START, UPDATE and END are the exported records (deltas since the previous
 * exported record of the flow). LIVE is internal: the latest view of a flow that changed since its previous live view,
 * with deltas since that view (for top talkers, metrics and the store's live view): payload segments and estimated
 * retransmits added, and the handshake RTT the first time it is known. {@code replayed} records come from rebuilding
 * state out of records a previous run already applied and exported: they update state but are not exported again.
 */
public record FlowEvent(Kind kind, Flow flow, Counters fwdDelta, Counters revDelta, List<AgentDelta> agentDeltas, long segmentsDelta,
                        long retransmitsDelta, Long newHandshakeRttMicros, long eventMicros, boolean replayed) {

    public enum Kind { START, UPDATE, END, LIVE }

    /** Counters one agent added since the flow's previous live view; fwd is initiator to responder. */
    public record AgentDelta(String agentId, long fwdPackets, long fwdBytes, long revPackets, long revBytes) {
    }

    public boolean exported() {
        return kind != Kind.LIVE;
    }
}
