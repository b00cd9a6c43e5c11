package dev.fluxtap.agent.publish;

import java.util.Map;

/**
 * Counters of a {@link RecordSink}, cumulative since start.
 *
 * @param batchesSent     batches acknowledged
 * @param summariesSent   summaries in acknowledged batches
 * @param sendFailures    batch sends that failed (after the producer's own retries)
 * @param batchesLost     batches given up for good: failed sends and batches refused because too many were pending
 * @param batchesKept     batches Kafka did not take that the {@link UndeliveredBatchHandler} kept (spooled)
 * @param statusSent      heartbeats acknowledged
 * @param statusFailures  heartbeats that failed or were not attempted because Kafka was never reached
 * @param tcpStatsSent    TCP stats snapshots acknowledged
 * @param tcpStatsFailures TCP stats snapshots that failed or were not attempted because Kafka was never reached
 * @param lastSequences   last acknowledged sequence per partition
 */
public record SinkStats(long batchesSent, long summariesSent, long sendFailures, long batchesLost, long batchesKept, long statusSent, long statusFailures,
                        long tcpStatsSent, long tcpStatsFailures,
                        Map<Integer, Long> lastSequences) {
}
