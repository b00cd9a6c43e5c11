package dev.fluxtap.aggregator.ingest;

import java.util.HashMap;
import java.util.Map;

/**
 * Per (agent, boot id, partition) batch sequence check. The first batch of a boot seen sets the baseline (the log may
 * start after the agent did); after that a jump ahead is a gap of lost batches, and a number at or below the last
 * one is a redelivery or duplicate and is dropped. One position per (agent, partition): a new boot replaces the old
 * one, so the state is bounded by agents times partitions. Not thread-safe: ingest keeps one per packets
 * partition, used by the one worker processing that partition at a time, and drops it when the partition is
 * assigned again (its state is rebuilt from an earlier offset) or revoked.
 */
final class SequenceCheck {

    enum Verdict { APPLY, DUPLICATE }

    private record Source(String agentId, int partition) {
    }

    private static final class Position {
        String bootId;
        long last;
    }

    private final Map<Source, Position> last = new HashMap<>();
    private long lostInLastCheck;

    Verdict check(String agentId, String bootId, int partition, long sequence) {
        lostInLastCheck = 0;
        Position p = last.get(new Source(agentId, partition));
        if (p == null) {
            p = new Position();
            last.put(new Source(agentId, partition), p);
        } else if (p.bootId.equals(bootId)) {
            if (sequence <= p.last) {
                return Verdict.DUPLICATE;
            }
            lostInLastCheck = sequence - p.last - 1;
            p.last = sequence;
            return Verdict.APPLY;
        }
        // First batch of this agent in the partition, or of a new boot (the old boot's position is dropped: bounded).
        p.bootId = bootId;
        p.last = sequence;
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
