package dev.fluxtap.aggregator.flow;

import java.util.List;

/**
 * An immutable view of one bidirectional flow. {@code src} is the initiator; fwd counts src to dst. Totals are the
 * maximum per direction over the observers: two agents at both ends of one connection see the same packets, so a sum
 * would count them twice. Times are event time (capture timestamps, microseconds).
 */
public record Flow(String flowId, int partition, int ipVersion, int protocol, String srcIp, int srcPort, String dstIp, int dstPort,
                   long firstSeenMicros, long lastSeenMicros, Counters fwd, Counters rev, String tcpState, Long handshakeRttMicros,
                   long retransmitsFwd, long retransmitsRev, long payloadSegments, boolean ended, String endReason,
                   List<FlowObserver> observers, List<FlowSocket> sockets) {

    public List<String> agents() {
        return observers.stream().map(FlowObserver::agentId).toList();
    }
}
