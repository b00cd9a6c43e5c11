package dev.fluxtap.aggregator.flow;

/**
 * A flow's row in its {@link FlowIndex}: eight longs that hold its key and take the common packet's update, so that
 * most packets of an open flow touch the index slot and this row and not the flow's objects, which are scattered over
 * the heap and, at tens of thousands of flows, rarely in cache.
 *
 * <p>A row is <em>armed</em> after a packet that {@link FlowState#apply} counted, when what the next packets change is
 * simple: {@link #count} then counts a packet of the flow's first observer, in time order, without SYN, FIN, RST or a
 * retransmission, here, and leaves every other packet to {@link FlowState#apply}. While armed, the row's last-seen time,
 * sequence ends and pending counters (packets, bytes, segments, flags per direction, of the first observer) are newer
 * than the state's; {@link #fold} moves them into the state and disarms the row. The table folds before anything reads
 * or changes the state: a packet that is not counted here, a live view, an export, a sweep, a view.
 *
 * <p>Armed only while the state is dirty and changed since its export, so a counted packet need not mark them (see
 * {@link #arm}).
 */
final class PacketRow {

    static final int LONGS = 8;

    // Offsets of a row's longs.
    /** IPv4: the a and b addresses; otherwise the key's hash, and the state compares the key. */
    static final int KEY_ADDRESSES = 0;
    /** IPv4: ports, protocol and version; otherwise {@link #HASHED}. */
    static final int KEY_REST = 1;
    /** Pending flags a to b (bits 0-15) and b to a (16-31), the first observer's agent (32-47), and the flags below. */
    static final int BITS = 2;
    static final int LAST_SEEN = 3;
    /** Pending counts a to b in the low 32 bits, b to a in the high 32 bits (no carry: see {@link #MAX_PENDING}). */
    static final int PACKETS = 4;
    static final int BYTES = 5;
    static final int SEGMENTS = 6;
    /** The highest sequence end a to b (low 32 bits) and b to a (high 32 bits), as in {@link Observation}. */
    static final int HIGH_END = 7;

    static final long HASHED = -1L;
    private static final long ARMED = 1L << 63;
    private static final long SEQ_KNOWN_AB = 1L << 48;
    private static final long SEQ_KNOWN_BA = 1L << 49;
    private static final long TCP = 1L << 50;
    /** Agents are numbered per table (see {@link AgentClock#ordinal}); from this one on, a flow's row is never armed. */
    static final int NO_AGENT = 0xFFFF;
    /**
     * Packets counted per direction before a fold: with packets of at most 65 535 bytes, the pending bytes stay below
     * 2^32 and never carry into the other direction's half.
     */
    static final int MAX_PENDING = 0xFFFF;
    private static final long LOW = 0xFFFF_FFFFL;
    private static final int NOT_HERE = TcpFlags.SYN | TcpFlags.FIN | TcpFlags.RST;

    private PacketRow() {
    }

    /** True when the key fits the row: IPv4, 16-bit ports and protocol. */
    static boolean compact(int ipVersion, int protocol, long aHi, long aLo, int aPort, long bHi, long bLo, int bPort) {
        return ipVersion == 4 && (aHi | bHi | aLo >>> 32 | bLo >>> 32) == 0 && (aPort | bPort | protocol) >>> 16 == 0;
    }

    static long compactAddresses(long aLo, long bLo) {
        return aLo << 32 | bLo;
    }

    /** Never {@link #HASHED}: bits 5-7 stay clear. */
    static long compactRest(int ipVersion, int protocol, int aPort, int bPort) {
        return (long) aPort << 48 | (long) bPort << 32 | (long) protocol << 8 | 0x10 | ipVersion;
    }

    /** Writes the key of a flow just added into a row that is all zeros (new, or cleared when its flow was removed). */
    static void init(long[] rows, int row, FlowState f) {
        int o = row * LONGS;
        boolean compact = compact(f.ipVersion, f.protocol, f.aHi, f.aLo, f.aPort, f.bHi, f.bLo, f.bPort);
        rows[o + KEY_ADDRESSES] = compact ? compactAddresses(f.aLo, f.bLo) : f.hashCode();
        rows[o + KEY_REST] = compact ? compactRest(f.ipVersion, f.protocol, f.aPort, f.bPort) : HASHED;
    }

    /** The flow's last-seen time: the row's while it is armed. */
    static long lastSeen(long[] rows, FlowState f) {
        int o = f.row * LONGS;
        return rows[o + BITS] < 0 ? rows[o + LAST_SEEN] : f.lastSeen;
    }

    /**
     * Reads the row's last long: its second cache line when the array does not align the row to a line (the look-up
     * read the first). Returns it so that the read stays.
     */
    static long touchLastLine(long[] rows, int row) {
        return rows[row * LONGS + LONGS - 1];
    }

    static boolean armed(long[] rows, int row) {
        return rows[row * LONGS + BITS] < 0;
    }

    /**
     * Counts a packet in an armed row and returns true, or returns false and changes nothing: the row is not armed, the
     * packet is another observer's, older than the flow's last, in a later attribution slot than the flow's last (its
     * pending live delta must be published first), carries SYN, FIN or RST, is a retransmission, or would overflow
     * the pending counters. The caller then folds and applies the packet to the state.
     */
    static boolean count(long[] rows, int row, int agent, boolean fromA, long ts, long slotStart, int flags, int ipBytes,
                         long seq, int payload) {
        int o = row * LONGS;
        long bits = rows[o + BITS];
        long last = rows[o + LAST_SEEN];
        if (bits >= 0 || (int) (bits >>> 32 & 0xFFFF) != agent || ts < last || last < slotStart || (flags & NOT_HERE) != 0
                || ipBytes >>> 16 != 0 || payload < 0) {
            return false;
        }
        int shift = fromA ? 0 : 32;
        long packets = rows[o + PACKETS];
        if ((packets >>> shift & LOW) >= MAX_PENDING) {
            return false;
        }
        if ((bits & TCP) != 0 && payload > 0) {
            // As Observation.trackSequence, without SYN and FIN: the payload alone moves the sequence.
            long known = fromA ? SEQ_KNOWN_AB : SEQ_KNOWN_BA;
            long ends = rows[o + HIGH_END];
            int end = (int) (seq + payload);
            if ((bits & known) != 0 && end - (int) (ends >>> shift) <= 0) {
                return false;
            }
            rows[o + HIGH_END] = ends & ~(LOW << shift) | (end & LOW) << shift;
            rows[o + SEGMENTS] += 1L << shift;
            bits |= known;
        }
        rows[o + PACKETS] = packets + (1L << shift);
        rows[o + BYTES] += (long) ipBytes << shift;
        rows[o + BITS] = bits | (long) (flags & 0xFFFF) << (fromA ? 0 : 16);
        rows[o + LAST_SEEN] = ts;
        return true;
    }

    /** Moves an armed row's pending counts into the flow's state (its first observer's) and disarms the row. */
    static void fold(long[] rows, FlowState f) {
        int o = f.row * LONGS;
        long bits = rows[o + BITS];
        if (bits >= 0) {
            return;
        }
        long packets = rows[o + PACKETS];
        if (packets != 0) {
            long bytes = rows[o + BYTES], segments = rows[o + SEGMENTS], ends = rows[o + HIGH_END];
            f.abPackets += packets & LOW;
            f.baPackets += packets >>> 32;
            f.abBytes += bytes & LOW;
            f.baBytes += bytes >>> 32;
            f.abSegments += segments & LOW;
            f.baSegments += segments >>> 32;
            f.abFlags |= (short) bits;
            f.baFlags |= (short) (bits >>> 16);
            f.abHighEnd = (int) ends;
            f.baHighEnd = (int) (ends >>> 32);
            f.abSeqKnown = (bits & SEQ_KNOWN_AB) != 0;
            f.baSeqKnown = (bits & SEQ_KNOWN_BA) != 0;
            // Every packet counted here was the newest of the flow, and the first observer's.
            f.lastSeen = rows[o + LAST_SEEN];
            f.agentLastSeen = f.lastSeen;
            rows[o + PACKETS] = 0;
            rows[o + BYTES] = 0;
            rows[o + SEGMENTS] = 0;
        }
        rows[o + BITS] = 0;
    }

    /**
     * True when {@link #count} may count the flow's next packets: its first observer has a number, and a packet counted
     * there would change nothing of the state machine. Such a packet is not the earliest and carries no SYN, FIN or
     * RST; an ACK would still set the handshake's ACK time only while none is set and the SYN-ACK's is known.
     */
    static boolean armable(FlowState f) {
        return f.owner.ordinal < NO_AGENT
                && (!f.tcp || !f.synAckSeen || f.handshakeAckSeen && (f.handshakeAckTs != Long.MIN_VALUE || !f.synAckTimed()));
    }

    /**
     * Arms a folded row when {@link #armable}; the row then takes over the state's last-seen time and sequence ends.
     * Called after a packet was applied to the state, which marked it dirty and changed since its export: so are the
     * row's packets, until a live view or an export folds the row.
     */
    static void arm(long[] rows, FlowState f) {
        if (!armable(f)) {
            return;
        }
        int o = f.row * LONGS;
        rows[o + LAST_SEEN] = f.lastSeen;
        rows[o + HIGH_END] = f.abHighEnd & LOW | (long) f.baHighEnd << 32;
        rows[o + BITS] = ARMED | (long) f.owner.ordinal << 32 | (f.abSeqKnown ? SEQ_KNOWN_AB : 0) | (f.baSeqKnown ? SEQ_KNOWN_BA : 0)
                | (f.tcp ? TCP : 0);
    }
}
