package dev.fluxtap.aggregator.flow;

/**
 * Mutable per-agent counters of one flow, by canonical direction (a to b, b to a). The first observer's is the flow's
 * state itself (see {@link FlowState}).
 */
class Observation {
    final String agentId;
    long abPackets, abBytes, baPackets, baBytes;
    int abFlags, baFlags;
    long agentFirstSeen = Long.MAX_VALUE, agentLastSeen = Long.MIN_VALUE;
    // Highest sequence end seen per direction (32-bit unsigned), for the retransmit estimate.
    long abHighEnd, baHighEnd;
    boolean abSeqKnown, baSeqKnown;
    long abSegments, baSegments, abRetransmits, baRetransmits;
    // Counters already reported in LIVE events (per-agent deltas).
    long abPacketsTicked, abBytesTicked, baPacketsTicked, baBytesTicked;

    Observation(String agentId) {
        this.agentId = agentId;
    }

    void count(boolean fromA, long ts, int ipBytes, int flags, boolean tcp, long seq, int payload) {
        if (ts < agentFirstSeen) {
            agentFirstSeen = ts;
        }
        if (ts > agentLastSeen) {
            agentLastSeen = ts;
        }
        if (fromA) {
            abPackets++;
            abBytes += ipBytes;
            abFlags |= flags;
        } else {
            baPackets++;
            baBytes += ipBytes;
            baFlags |= flags;
        }
        if (tcp) {
            trackSequence(fromA, flags, seq, payload);
        }
    }

    private void trackSequence(boolean fromA, int flags, long seq, int payload) {
        // SYN and FIN consume one sequence number each.
        long length = payload + ((flags & TcpFlags.SYN) != 0 ? 1 : 0) + ((flags & TcpFlags.FIN) != 0 ? 1 : 0);
        if (length == 0) {
            return;
        }
        long end = (seq + length) & 0xFFFF_FFFFL;
        boolean known = fromA ? abSeqKnown : baSeqKnown;
        long high = fromA ? abHighEnd : baHighEnd;
        boolean retransmit = known && payload > 0 && (int) (end - high) <= 0;
        if (payload > 0) {
            if (fromA) {
                abSegments++;
                if (retransmit) {
                    abRetransmits++;
                }
            } else {
                baSegments++;
                if (retransmit) {
                    baRetransmits++;
                }
            }
        }
        if (!known || (int) (end - high) > 0) {
            if (fromA) {
                abHighEnd = end;
                abSeqKnown = true;
            } else {
                baHighEnd = end;
                baSeqKnown = true;
            }
        }
    }
}
