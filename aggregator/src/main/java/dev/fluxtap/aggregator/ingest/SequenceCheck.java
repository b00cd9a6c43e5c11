package dev.fluxtap.aggregator.ingest;

import java.util.HashMap;
import java.util.Map;

/**
 * Per (agent, boot id, partition) batch sequence check. The first batch of a boot seen sets the baseline (the log may
 * start after the agent did); after that a jump ahead is a gap of lost batches, and a number at or below the last
 * one is a redelivery or duplicate and is dropped. Used from the ingest thread only.
 */
final class SequenceCheck {

    enum Verdict { APPLY, DUPLICATE }

    private record Source(String agentId, String bootId, int partition) {
    }

    private final Map<Source, long[]> last = new HashMap<>();
    private long lostInLastCheck;

    Verdict check(String agentId, String bootId, int partition, long sequence) {
        lostInLastCheck = 0;
        long[] previous = last.get(new Source(agentId, bootId, partition));
        if (previous == null) {
            last.put(new Source(agentId, bootId, partition), new long[] {sequence});
            return Verdict.APPLY;
        }
        if (sequence <= previous[0]) {
            return Verdict.DUPLICATE;
        }
        lostInLastCheck = sequence - previous[0] - 1;
        previous[0] = sequence;
        return Verdict.APPLY;
    }

    /** Batches missing before the batch of the last {@link #check} (0 when none). */
    long lostInLastCheck() {
        return lostInLastCheck;
    }

    int sources() {
        return last.size();
    }
}
