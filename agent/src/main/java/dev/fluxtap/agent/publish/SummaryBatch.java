package dev.fluxtap.agent.publish;

import dev.fluxtap.agent.summarize.PacketSummary;
import java.util.List;

/**
 * Summaries of one agent bound for one partition of {@code fluxtap.packets.v1}. {@code sequence} counts the batches of
 * (agent, boot, partition) from 0 without gaps: the aggregator detects lost batches as gaps.
 */
public record SummaryBatch(BatchIdentity identity, int partition, long sequence, long createdMicros, List<PacketSummary> summaries) {

    public SummaryBatch {
        summaries = List.copyOf(summaries);
    }
}
