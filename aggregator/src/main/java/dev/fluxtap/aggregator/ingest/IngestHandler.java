package dev.fluxtap.aggregator.ingest;

import dev.fluxtap.aggregator.decode.AgentReport;
import dev.fluxtap.aggregator.decode.SummaryBatch;
import dev.fluxtap.aggregator.decode.TcpSnapshot;

/** Where ingest hands decoded, sequence-checked input. Called on the ingest thread; offsets commit after it returns. */
public interface IngestHandler {

    /**
     * A packet batch that passed the sequence check, read from {@code kafkaPartition} of the packets topic.
     * {@code replay} is true for records below the group's committed offset, re-read at start to rebuild state.
     */
    void onPackets(int kafkaPartition, SummaryBatch batch, boolean replay);

    void onTcpStats(TcpSnapshot snapshot);

    void onAgentStatus(AgentReport report);

    /** {@code count} batches of the agent never arrived (a sequence gap). */
    void onLostBatches(String agentId, long count);

    /** A batch of the agent was dropped as a redelivery or duplicate. */
    void onDuplicateBatch(String agentId);

    /** Called when intake stopped, before the final offset commit: flush whatever was derived from applied records. */
    void beforeFinalCommit();
}
