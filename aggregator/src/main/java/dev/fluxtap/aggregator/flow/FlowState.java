package dev.fluxtap.aggregator.flow;

import dev.fluxtap.aggregator.decode.IpAddresses;
import java.util.List;

/**
 * Mutable state of one flow inside a table. Only the owning table touches it, under the table's lock. It is also the
 * observation of its first observer (most flows have one), and holds a copy of its key: a packet that the flow's row in
 * the index does not count (see {@link PacketRow}) then reads one object after the row, where separate key, state and
 * observation objects were a chain of cache misses.
 */
final class FlowState extends Observation {
    private static final long NONE = Long.MIN_VALUE;

    // The canonical 5-tuple, as in FlowKey (SummaryBatch carries the version as a byte, the protocol as a short).
    final byte ipVersion;
    final short protocol;
    final long aHi;
    final long aLo;
    final int aPort;
    final long bHi;
    final long bLo;
    final int bPort;
    private final int hash;

    final boolean tcp;
    /** True when endpoint a is the initiator (src). */
    boolean initiatorIsA;
    /** This flow's observations, the first observer's (this object) first. */
    Observation[] observations;
    long firstSeen = Long.MAX_VALUE;
    long lastSeen = Long.MIN_VALUE;

    // TCP handshake and teardown, in canonical directions; handshake times from the first observer only.
    boolean synSeen, synAckSeen, handshakeAckSeen, finFromA, finFromB, rstSeen;
    long handshakeAckTs = NONE;

    boolean dirty;
    boolean changedSinceExport;

    /** Clock of the first observer: the flow's timeouts are measured on it. */
    final AgentClock owner;

    /** This flow's row in its table's index (see {@link PacketRow}), 0 when not in one. */
    int row;

    /**
     * What a packet's update of an open flow does not read: kept apart so that the update touches as few cache lines
     * as possible (with tens of thousands of flows a state is rarely in cache, and each line is a miss).
     */
    final Cold cold = new Cold();

    /** Read at a flow's start, ticks, exports and end, by a handshake's SYN and SYN-ACK, and for its texts and id. */
    static final class Cold {
        long synTs = NONE, synAckTs = NONE;
        /** When a closing flow ends (set with the packet that closes it, see {@link FlowState#closing}), and why. */
        long closeAt = NONE;
        String closeReason;
        boolean started;
        boolean createdInReplay;
        boolean rttReported;
        long lastExportAt;
        long fwdPacketsExported, fwdBytesExported, revPacketsExported, revBytesExported;
        long fwdPacketsTicked, fwdBytesTicked, revPacketsTicked, revBytesTicked, segmentsTicked, retransmitsTicked;
        private String aText, bText, flowId;
        /** Top-talker keys {pair, port} of a-initiated then b-initiated views, built once each (see {@link Flow#pairKey}). */
        private String[] talkerKeys;
    }

    FlowState(FlowKey probe, String firstAgent, AgentClock owner) {
        super(firstAgent);
        ipVersion = (byte) probe.ipVersion; protocol = (short) probe.protocol;
        aHi = probe.aHi; aLo = probe.aLo; aPort = probe.aPort; bHi = probe.bHi; bLo = probe.bLo; bPort = probe.bPort;
        hash = probe.hashCode();
        this.owner = owner;
        this.tcp = protocol == 6;
        this.observations = new Observation[] {this};
    }

    /** The hash of this flow's key (see {@link FlowKey#hashCode}). */
    @Override
    public int hashCode() {
        return hash;
    }

    /** True when this flow has the key {@code k}, the hash aside (the index compares it first). */
    boolean hasKey(FlowKey k) {
        return aLo == k.aLo && bLo == k.bLo && aPort == k.aPort && bPort == k.bPort && protocol == k.protocol
                && aHi == k.aHi && bHi == k.bHi && ipVersion == k.ipVersion;
    }

    /**
     * Reads a field on each cache line of a packet's update that {@link #hasKey} does not read: the observation's
     * counters first, the owner last (no two read offsets more than a line apart; FlowStateLayoutTest checks the
     * layout). Returns something of them so that the reads stay.
     */
    long touchPerPacketLines() {
        return abHighEnd + abSegments + (owner == null ? 1 : 0);
    }

    Observation observation(String agentId) {
        Observation[] obs = observations;
        for (Observation o : obs) {
            if (o.agentId.equals(agentId)) {
                return o;
            }
        }
        Observation[] grown = java.util.Arrays.copyOf(obs, obs.length + 1);
        Observation o = new Observation(agentId);
        grown[obs.length] = o;
        observations = grown;
        return o;
    }

    /**
     * True when the packet may make the other endpoint the initiator (see {@link #apply}): one earlier than all before
     * it, or a first SYN or SYN-ACK. Conservative: an ordinary handshake's SYN-ACK after its SYN is not one.
     */
    boolean mayTurn(long ts, int flags) {
        return ts < firstSeen || tcp && (flags & TcpFlags.SYN) != 0 && !synSeen && ((flags & TcpFlags.ACK) == 0 || !synAckSeen);
    }

    /**
     * Applies one packet. {@code primaryObserver} is true for the flow's first observer (handshake timing source). Every
     * packet that may change {@link #initiatorIsA} here must make {@link #mayTurn} true.
     */
    void apply(Observation obs, boolean primaryObserver, boolean fromA, long ts, int ipBytes, int flags, long seq, int payload) {
        boolean earliest = ts < firstSeen;
        if (earliest) {
            firstSeen = ts;
        }
        if (ts > lastSeen) {
            lastSeen = ts;
        }
        obs.count(fromA, ts, ipBytes, flags, tcp, seq, payload);
        changedSinceExport = true;
        if (!tcp) {
            if (earliest) {
                initiatorIsA = fromA;
            }
            return;
        }
        boolean syn = (flags & TcpFlags.SYN) != 0;
        boolean ack = (flags & TcpFlags.ACK) != 0;
        if (syn && !ack) {
            if (!synSeen) {
                initiatorIsA = fromA;
            }
            synSeen = true;
            if (primaryObserver && (cold.synTs == NONE || ts < cold.synTs)) {
                cold.synTs = ts;
            }
        } else if (syn) {
            if (!synSeen && !synAckSeen) {
                initiatorIsA = !fromA;
            }
            synAckSeen = true;
            if (primaryObserver && (cold.synAckTs == NONE || ts < cold.synAckTs)) {
                cold.synAckTs = ts;
            }
        } else {
            if (earliest && !synSeen && !synAckSeen) {
                initiatorIsA = fromA;
            }
            if (ack && synAckSeen && fromA == initiatorIsA) {
                handshakeAckSeen = true;
                // The hot handshakeAckTs first: once it is set, a later ACK (nearly every packet) stops there.
                if (primaryObserver && (handshakeAckTs == NONE || ts < handshakeAckTs) && cold.synAckTs != NONE
                        && ts >= cold.synAckTs) {
                    handshakeAckTs = ts;
                }
            }
        }
        if ((flags & TcpFlags.FIN) != 0) {
            if (fromA) {
                finFromA = true;
            } else {
                finFromB = true;
            }
        }
        if ((flags & TcpFlags.RST) != 0) {
            rstSeen = true;
        }
    }

    TcpState tcpState() {
        if (rstSeen) {
            return TcpState.RESET;
        }
        if (finFromA && finFromB) {
            return TcpState.CLOSED;
        }
        if (finFromA || finFromB) {
            return TcpState.FIN_WAIT;
        }
        if (synSeen && synAckSeen) {
            return handshakeAckSeen ? TcpState.ESTABLISHED : TcpState.SYN_RECEIVED;
        }
        if (synSeen) {
            return TcpState.SYN_SENT;
        }
        if (synAckSeen) {
            return TcpState.SYN_RECEIVED;
        }
        return TcpState.MIDSTREAM;
    }

    /** True once both sides sent FIN or a RST was seen: the flow lingers, then ends. */
    boolean closing() {
        return tcp && (rstSeen || (finFromA && finFromB));
    }

    /** True once the first observer's SYN-ACK has a time (read when arming a row, see {@link PacketRow#armable}). */
    boolean synAckTimed() {
        return cold.synAckTs != NONE;
    }

    Long handshakeRtt() {
        long synTs = cold.synTs;
        return synTs != NONE && cold.synAckTs != NONE && handshakeAckTs != NONE && handshakeAckTs >= synTs ? handshakeAckTs - synTs : null;
    }

    /** Totals take the maximum over the observers: two agents on one connection see the same packets. */
    long fwdPackets() {
        return maxOverObservers(o -> initiatorIsA ? o.abPackets : o.baPackets);
    }

    long fwdBytes() {
        return maxOverObservers(o -> initiatorIsA ? o.abBytes : o.baBytes);
    }

    long revPackets() {
        return maxOverObservers(o -> initiatorIsA ? o.baPackets : o.abPackets);
    }

    long revBytes() {
        return maxOverObservers(o -> initiatorIsA ? o.baBytes : o.abBytes);
    }

    private long maxOverObservers(java.util.function.ToLongFunction<Observation> counter) {
        long max = 0;
        for (Observation o : observations) {
            max = Math.max(max, counter.applyAsLong(o));
        }
        return max;
    }

    private int fwdFlags() {
        int flags = 0;
        for (Observation o : observations) {
            flags |= initiatorIsA ? o.abFlags : o.baFlags;
        }
        return flags;
    }

    private int revFlags() {
        int flags = 0;
        for (Observation o : observations) {
            flags |= initiatorIsA ? o.baFlags : o.abFlags;
        }
        return flags;
    }

    Counters fwd() {
        return new Counters(fwdPackets(), fwdBytes(), fwdFlags());
    }

    Counters rev() {
        return new Counters(revPackets(), revBytes(), revFlags());
    }

    /** False until the end of the batch that created the flow (see {@link FlowTable#apply}). */
    boolean idFixed() {
        return cold.flowId != null;
    }

    String flowId(int partition) {
        Cold c = cold;
        if (c.flowId == null) {
            c.flowId = partition + "-" + Long.toHexString(firstSeen) + "-" + Integer.toHexString(hashCode());
        }
        return c.flowId;
    }

    private String aText() {
        Cold c = cold;
        if (c.aText == null) {
            c.aText = IpAddresses.text(ipVersion, aHi, aLo);
        }
        return c.aText;
    }

    private String bText() {
        Cold c = cold;
        if (c.bText == null) {
            c.bText = IpAddresses.text(ipVersion, bHi, bLo);
        }
        return c.bText;
    }

    Flow view(int partition, boolean ended, String endReason, SocketIndex sockets) {
        String srcIp = initiatorIsA ? aText() : bText();
        String dstIp = initiatorIsA ? bText() : aText();
        int srcPort = initiatorIsA ? aPort : bPort;
        int dstPort = initiatorIsA ? bPort : aPort;
        // An array handed to List.of: one or two observers (nearly every flow) make an immutable list without a copy.
        FlowObserver[] observers = new FlowObserver[observations.length];
        int i = 0;
        long retransFwd = 0, retransRev = 0, segments = 0;
        for (Observation o : observations) {
            Counters f = initiatorIsA ? new Counters(o.abPackets, o.abBytes, o.abFlags) : new Counters(o.baPackets, o.baBytes, o.baFlags);
            Counters r = initiatorIsA ? new Counters(o.baPackets, o.baBytes, o.baFlags) : new Counters(o.abPackets, o.abBytes, o.abFlags);
            long rf = initiatorIsA ? o.abRetransmits : o.baRetransmits;
            long rr = initiatorIsA ? o.baRetransmits : o.abRetransmits;
            observers[i++] = new FlowObserver(o.agentId, f, r, o.agentFirstSeen, o.agentLastSeen, rf, rr);
            retransFwd = Math.max(retransFwd, rf);
            retransRev = Math.max(retransRev, rr);
            segments = Math.max(segments, o.abSegments + o.baSegments);
        }
        List<FlowSocket> joined = tcp ? sockets.lookup(srcIp, srcPort, dstIp, dstPort) : List.of();
        String[] talkerKeys = cold.talkerKeys;
        if (talkerKeys == null) {
            talkerKeys = cold.talkerKeys = new String[4];
        }
        int k = initiatorIsA ? 0 : 2;
        if (talkerKeys[k] == null) {
            talkerKeys[k] = Flow.pairKey(srcIp, dstIp);
            talkerKeys[k + 1] = Flow.portKey(protocol, dstPort);
        }
        return new Flow(flowId(partition), partition, ipVersion, protocol, srcIp, srcPort, dstIp, dstPort, firstSeen, lastSeen,
                fwd(), rev(), tcp ? tcpState().name() : null, tcp ? handshakeRtt() : null, retransFwd, retransRev, segments,
                ended, endReason, List.of(observers), joined, talkerKeys[k], talkerKeys[k + 1]);
    }
}
