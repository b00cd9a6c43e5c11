package dev.fluxtap.aggregator.decode;

import java.util.List;

/**
 * The packet summaries of one {@code PacketBatch}, column by column so that the flow table reads primitives without
 * allocating. Addresses are two longs: IPv4 in {@code lo} (unsigned) with {@code hi = 0}, IPv6 as its two halves.
 * Instances are built by {@link Builder} and not changed afterwards, unless their builder is restarted: the ingest keeps
 * one builder per worker and decodes each record into the same columns (54 KB for 1000 summaries, allocated and
 * collected per record before), so such a batch is valid until its worker decodes the next record. The high-half
 * columns exist only in batches with an address whose high half is not 0 (IPv6): IPv4-only batches, the common case,
 * allocate 16 bytes less per summary.
 */
public final class SummaryBatch {

    private final String agentId;
    private final String bootId;
    private final int partition;
    private final long sequence;
    private final long createdMicros;
    private final List<String> interfaces;
    private final int size;
    private final long newestTs;
    private final long[] ts;
    private final byte[] ipVersion;
    private final short[] protocol;
    private final long[] srcHi; // null when all are 0
    private final long[] srcLo;
    private final long[] dstHi; // null when all are 0
    private final long[] dstLo;
    private final int[] srcPort;
    private final int[] dstPort;
    private final int[] ipBytes;
    private final short[] tcpFlags;
    private final long[] tcpSeq;
    private final int[] payloadBytes;

    private SummaryBatch(Builder b) {
        this.agentId = b.agentId;
        this.bootId = b.bootId;
        this.partition = b.partition;
        this.sequence = b.sequence;
        this.createdMicros = b.createdMicros;
        this.interfaces = List.copyOf(b.interfaces);
        this.size = b.size;
        this.newestTs = b.newestTs;
        this.ts = b.ts;
        this.ipVersion = b.ipVersion;
        this.protocol = b.protocol;
        this.srcHi = b.srcHi;
        this.srcLo = b.srcLo;
        this.dstHi = b.dstHi;
        this.dstLo = b.dstLo;
        this.srcPort = b.srcPort;
        this.dstPort = b.dstPort;
        this.ipBytes = b.ipBytes;
        this.tcpFlags = b.tcpFlags;
        this.tcpSeq = b.tcpSeq;
        this.payloadBytes = b.payloadBytes;
    }

    public static Builder builder(String agentId, String bootId, int partition, long sequence, int capacity) {
        return new Builder(agentId, bootId, partition, sequence, capacity);
    }

    public String agentId() { return agentId; }
    public String bootId() { return bootId; }
    public int partition() { return partition; }
    public long sequence() { return sequence; }
    public long createdMicros() { return createdMicros; }
    public List<String> interfaces() { return interfaces; }
    public int size() { return size; }
    /** The newest summary's timestamp, kept while the batch was built; {@code Long.MIN_VALUE} for an empty batch. */
    public long newestTs() { return newestTs; }
    public long ts(int i) { return ts[i]; }
    public int ipVersion(int i) { return ipVersion[i]; }
    public int protocol(int i) { return protocol[i]; }
    public long srcHi(int i) { return srcHi == null ? 0L : srcHi[i]; }
    public long srcLo(int i) { return srcLo[i]; }
    public long dstHi(int i) { return dstHi == null ? 0L : dstHi[i]; }
    public long dstLo(int i) { return dstLo[i]; }
    public int srcPort(int i) { return srcPort[i]; }
    public int dstPort(int i) { return dstPort[i]; }
    public int ipBytes(int i) { return ipBytes[i]; }
    public int tcpFlags(int i) { return tcpFlags[i]; }
    public long tcpSeq(int i) { return tcpSeq[i]; }
    public int payloadBytes(int i) { return payloadBytes[i]; }

    /**
     * A copy of this batch with every timestamp shifted and every TCP sequence number advanced by {@code deltaSeq}, for
     * benchmarks that replay one batch as fresh traffic (whose segments would otherwise all look retransmitted).
     */
    public SummaryBatch shifted(long deltaMicros, long newSequence, long deltaSeq) {
        Builder b = new Builder(agentId, bootId, partition, newSequence, size);
        b.createdMicros = createdMicros + deltaMicros;
        b.interfaces = interfaces;
        for (int i = 0; i < size; i++) {
            b.add(ts[i] + deltaMicros, ipVersion[i], protocol[i], srcHi(i), srcLo[i], dstHi(i), dstLo[i], srcPort[i], dstPort[i],
                    ipBytes[i], tcpFlags[i], tcpSeq[i] + deltaSeq, payloadBytes[i]);
        }
        return b.build();
    }

    /** Fills the columns; grows them when more summaries arrive than announced. */
    public static final class Builder {
        private String agentId;
        private String bootId;
        private int partition;
        private long sequence;
        private long createdMicros;
        private List<String> interfaces = List.of();
        private int size;
        private long newestTs = Long.MIN_VALUE;
        private long[] ts;
        private byte[] ipVersion;
        private short[] protocol;
        private long[] srcHi;
        private long[] srcLo;
        private long[] dstHi;
        private long[] dstLo;
        private int[] srcPort;
        private int[] dstPort;
        private int[] ipBytes;
        private short[] tcpFlags;
        private long[] tcpSeq;
        private int[] payloadBytes;

        private Builder(String agentId, String bootId, int partition, long sequence, int capacity) {
            this.agentId = agentId;
            this.bootId = bootId;
            this.partition = partition;
            this.sequence = sequence;
            allocate(Math.max(1, capacity));
        }

        /**
         * Starts another batch in this builder's columns, grown to {@code capacity} when smaller. Every batch built
         * before from this builder sees the new batch's columns from now on: only for a caller that is done with them.
         */
        public Builder restart(String agentId, String bootId, int partition, long sequence, int capacity) {
            this.agentId = agentId;
            this.bootId = bootId;
            this.partition = partition;
            this.sequence = sequence;
            createdMicros = 0;
            interfaces = List.of();
            size = 0;
            newestTs = Long.MIN_VALUE;
            if (ts.length < capacity) {
                allocate(capacity);
                srcHi = null;
                dstHi = null;
            }
            return this;
        }

        public Builder createdMicros(long micros) {
            this.createdMicros = micros;
            return this;
        }

        public Builder interfaces(List<String> names) {
            this.interfaces = names;
            return this;
        }

        public Builder add(long tsMicros, int version, int proto, long sHi, long sLo, long dHi, long dLo, int sPort, int dPort,
                           int bytes, int flags, long seq, int payload) {
            if (size == ts.length) {
                grow();
            }
            int i = size++;
            ts[i] = tsMicros;
            newestTs = Math.max(newestTs, tsMicros);
            ipVersion[i] = (byte) version;
            protocol[i] = (short) proto;
            if (srcHi == null && (sHi | dHi) != 0) {
                srcHi = new long[ts.length];
                dstHi = new long[ts.length];
            }
            if (srcHi != null) {
                srcHi[i] = sHi;
                dstHi[i] = dHi;
            }
            srcLo[i] = sLo;
            dstLo[i] = dLo;
            srcPort[i] = sPort;
            dstPort[i] = dPort;
            ipBytes[i] = bytes;
            tcpFlags[i] = (short) flags;
            tcpSeq[i] = seq;
            payloadBytes[i] = payload;
            return this;
        }

        public SummaryBatch build() {
            return new SummaryBatch(this);
        }

        private void allocate(int n) {
            ts = new long[n];
            ipVersion = new byte[n];
            protocol = new short[n];
            srcLo = new long[n];
            dstLo = new long[n];
            srcPort = new int[n];
            dstPort = new int[n];
            ipBytes = new int[n];
            tcpFlags = new short[n];
            tcpSeq = new long[n];
            payloadBytes = new int[n];
        }

        private void grow() {
            int n = ts.length * 2;
            ts = java.util.Arrays.copyOf(ts, n);
            ipVersion = java.util.Arrays.copyOf(ipVersion, n);
            protocol = java.util.Arrays.copyOf(protocol, n);
            if (srcHi != null) {
                srcHi = java.util.Arrays.copyOf(srcHi, n);
                dstHi = java.util.Arrays.copyOf(dstHi, n);
            }
            srcLo = java.util.Arrays.copyOf(srcLo, n);
            dstLo = java.util.Arrays.copyOf(dstLo, n);
            srcPort = java.util.Arrays.copyOf(srcPort, n);
            dstPort = java.util.Arrays.copyOf(dstPort, n);
            ipBytes = java.util.Arrays.copyOf(ipBytes, n);
            tcpFlags = java.util.Arrays.copyOf(tcpFlags, n);
            tcpSeq = java.util.Arrays.copyOf(tcpSeq, n);
            payloadBytes = java.util.Arrays.copyOf(payloadBytes, n);
        }
    }
}
