package dev.fluxtap.aggregator.flow;

import java.util.List;

/**
 * An immutable view of one bidirectional flow. {@code src} is the initiator; fwd counts src to dst. Totals are the
 * maximum per direction over the observers: two agents at both ends of one connection see the same packets, so a sum
 * would count them twice. Times are event time (capture timestamps, microseconds). {@code pairKey} and {@code portKey}
 * are the flow's top-talker keys ({@link #pairKey}, {@link #portKey}): a flow table builds them once per flow, not per
 * view, so the top talkers hash a string whose hash is cached and usually find the very instance in their maps.
 */
public record Flow(String flowId, int partition, int ipVersion, int protocol, String srcIp, int srcPort, String dstIp, int dstPort,
                   long firstSeenMicros, long lastSeenMicros, Counters fwd, Counters rev, String tcpState, Long handshakeRttMicros,
                   long retransmitsFwd, long retransmitsRev, long payloadSegments, boolean ended, String endReason,
                   List<FlowObserver> observers, List<FlowSocket> sockets, String pairKey, String portKey) {

    public List<String> agents() {
        return observers.stream().map(FlowObserver::agentId).toList();
    }

    /** The top-talker pair key of a flow: src|dst, initiator first. */
    public static String pairKey(String srcIp, String dstIp) {
        return srcIp + "|" + dstIp;
    }

    /** The top-talker port key of a flow: protocol/service port (the responder's), such as 6/443. */
    public static String portKey(int protocol, int dstPort) {
        return protocol + "/" + dstPort;
    }
}
