package dev.fluxtap.aggregator.flow;

/**
 * Mutable per-agent counters of one flow, by canonical direction (a to b, b to a). The first observer's is the flow's
 * state itself (see {@link FlowState}).
 */
class Observation {
    final String agentId;
    long abPackets, abBytes, baPackets, baBytes;
    long agentFirstSeen = Long.MAX_VALUE, agentLastSeen = Long.MIN_VALUE;
    long abSegments, baSegments, abRetransmits, baRetransmits;
    // Highest sequence end seen per direction: a 32-bit unsigned sequence number, compared modulo 2^32 (int arithmetic).
    int abHighEnd, baHighEnd;
    // SummaryBatch carries TCP flags as a short: so can these (fewer cache lines per packet).
    short abFlags, baFlags;
    boolean abSeqKnown, baSeqKnown;
    /** Counters already reported in LIVE events: read once a tick, not per packet, so kept out of the packet's lines. */
    final Ticked ticked = new Ticked();

    /** Per-agent counters as of the previous LIVE event (deltas are reported). */
    static final class Ticked {
        long abPackets, abBytes, baPackets, baBytes;
    }

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
        int end = (int) (seq + length);
        boolean known = fromA ? abSeqKnown : baSeqKnown;
        int high = fromA ? abHighEnd : baHighEnd;
        boolean retransmit = known && payload > 0 && end - high <= 0;
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
        if (!known || end - high > 0) {
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
