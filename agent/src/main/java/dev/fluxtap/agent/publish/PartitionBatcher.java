package dev.fluxtap.agent.publish;

import dev.fluxtap.agent.config.WireFormat;
import dev.fluxtap.agent.summarize.FlowHash;
import dev.fluxtap.agent.summarize.PacketSummary;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Groups summaries per target partition (hash of the canonical 5-tuple, so both directions of a flow meet) and closes
 * a batch when it reaches the size limits or its oldest summary has waited the linger time. Assigns each closed batch
 * the next sequence number of its partition, starting at 0. Single-threaded; time comes from the injected clock.
 */
public final class PartitionBatcher {

    /** Encoded size of a batch without summaries (ids, interface names, the array's or the columns' lengths), roughly. */
    static final int BATCH_OVERHEAD_BYTES = 128;

    private final int partitions;
    private final int maxSummaries;
    private final int maxBytes;
    private final long lingerMillis;
    /** What one IPv4 or IPv6 summary adds to a batch in the wire format in use, for the byte limit. */
    private final int ipv4SummaryBytes;
    private final int ipv6SummaryBytes;
    private final BatchIdentity identity;
    private final Clock clock;
    private final Open[] open;
    private final long[] nextSequence;

    public PartitionBatcher(int partitions, int maxSummaries, int maxBytes, Duration linger, WireFormat format, BatchIdentity identity,
                            Clock clock) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, got " + partitions);
        }
        this.partitions = partitions;
        this.maxSummaries = maxSummaries;
        this.maxBytes = maxBytes;
        this.lingerMillis = linger.toMillis();
        this.ipv4SummaryBytes = BatchEncoding.summaryBytes(format, 4);
        this.ipv6SummaryBytes = BatchEncoding.summaryBytes(format, 6);
        this.identity = identity;
        this.clock = clock;
        this.open = new Open[partitions];
        this.nextSequence = new long[partitions];
    }

    public int partitionOf(PacketSummary s) {
        return FlowHash.partition(s, partitions);
    }

    public void add(PacketSummary s, Consumer<SummaryBatch> out) {
        int p = partitionOf(s);
        Open batch = open[p];
        if (batch == null) {
            batch = new Open(clock.millis(), Math.min(maxSummaries, 256));
            open[p] = batch;
        }
        batch.summaries.add(s);
        batch.bytes += s.ipVersion() == 4 ? ipv4SummaryBytes : ipv6SummaryBytes;
        if (batch.summaries.size() >= maxSummaries || batch.bytes >= maxBytes) {
            close(p, out);
        }
    }

    /** Closes the batches whose linger time has passed. */
    public void flushDue(Consumer<SummaryBatch> out) {
        long now = clock.millis();
        for (int p = 0; p < partitions; p++) {
            Open batch = open[p];
            if (batch != null && now - batch.openedMillis >= lingerMillis) {
                close(p, out);
            }
        }
    }

    /** Closes every open batch (shutdown). */
    public void flushAll(Consumer<SummaryBatch> out) {
        for (int p = 0; p < partitions; p++) {
            if (open[p] != null) {
                close(p, out);
            }
        }
    }

    /** Milliseconds until the next batch is due by linger, or the linger time when no batch is open. */
    public long millisUntilNextDue() {
        long now = clock.millis();
        long earliest = Long.MAX_VALUE;
        for (Open batch : open) {
            if (batch != null) {
                earliest = Math.min(earliest, batch.openedMillis);
            }
        }
        return earliest == Long.MAX_VALUE ? lingerMillis : Math.max(0, earliest + lingerMillis - now);
    }

    /** Summaries waiting in open batches. */
    public int pendingSummaries() {
        int n = 0;
        for (Open batch : open) {
            n += batch == null ? 0 : batch.summaries.size();
        }
        return n;
    }

    private void close(int p, Consumer<SummaryBatch> out) {
        Open batch = open[p];
        open[p] = null;
        long createdMicros = Math.multiplyExact(clock.millis(), 1000L);
        out.accept(new SummaryBatch(identity, p, nextSequence[p]++, createdMicros, batch.summaries));
    }

    private static final class Open {
        final long openedMillis;
        final List<PacketSummary> summaries;
        int bytes = BATCH_OVERHEAD_BYTES;

        Open(long openedMillis, int initialCapacity) {
            this.openedMillis = openedMillis;
            this.summaries = new ArrayList<>(initialCapacity);
        }
    }
}
