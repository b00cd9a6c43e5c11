package dev.fluxtap.agent.publish;

import java.util.EnumMap;
import java.util.Map;

/**
 * Counters of a {@link RecordSink}, cumulative since start.
 *
 * @param batchesSent      batches acknowledged (sent directly or replayed from the spool)
 * @param summariesSent    summaries in acknowledged batches
 * @param sendFailures     batch sends that failed (after the producer's own retries)
 * @param lostByReason     batches given up for good, by reason (every reason present, 0 when none)
 * @param statusSent       heartbeats acknowledged
 * @param statusFailures   heartbeats that failed or were not attempted because Kafka was never reached
 * @param tcpStatsSent     TCP stats snapshots acknowledged
 * @param tcpStatsFailures TCP stats snapshots that failed or were not attempted because Kafka was never reached
 * @param lastSequences    last acknowledged sequence per partition, of this run's batches
 * @param spool            the spool
 */
public record SinkStats(long batchesSent, long summariesSent, long sendFailures, Map<LossReason, Long> lostByReason, long statusSent,
                        long statusFailures, long tcpStatsSent, long tcpStatsFailures, Map<Integer, Long> lastSequences, SpoolReport spool) {

    public SinkStats {
        EnumMap<LossReason, Long> all = new EnumMap<>(LossReason.class);
        for (LossReason r : LossReason.values()) {
            all.put(r, lostByReason.getOrDefault(r, 0L));
        }
        lostByReason = Map.copyOf(all);
        lastSequences = Map.copyOf(lastSequences);
    }

    /** Batches given up for good, whatever the reason: the aggregator sees them as sequence gaps. */
    public long batchesLost() {
        return lostByReason.values().stream().mapToLong(Long::longValue).sum();
    }
}
