package dev.fluxtap.aggregator.ingest;

import dev.fluxtap.aggregator.decode.AgentReport;
import dev.fluxtap.aggregator.decode.SummaryBatch;
import dev.fluxtap.aggregator.decode.TcpSnapshot;

/**
 * Where ingest hands decoded, sequence-checked input. Calls for one packets partition are serialised and in offset
 * order, but different partitions are applied concurrently (one ingest worker each at a time); TCP stats, agent
 * statuses, assignment and revocation are called alone (no packets call in progress). Offsets commit only after
 * {@link #flushExports()} returned following the records' application.
 */
public interface IngestHandler {

    /**
     * A packet batch that passed the sequence check, read from {@code kafkaPartition} of the packets topic.
     * {@code replay} is true for records below the group's committed offset, re-read to rebuild state. The batch is
     * valid during this call only: its columns take the worker's next record.
     */
    void onPackets(int kafkaPartition, SummaryBatch batch, boolean replay);

    void onTcpStats(TcpSnapshot snapshot);

    void onAgentStatus(AgentReport report);

    /** {@code count} batches of the agent in {@code kafkaPartition} never arrived (a sequence gap). */
    void onLostBatches(int kafkaPartition, String agentId, long count);

    /** A batch of the agent in {@code kafkaPartition} was dropped as a redelivery or duplicate. */
    void onDuplicateBatch(int kafkaPartition, String agentId);

    /** The packets partition was assigned to this instance: its state starts empty and is rebuilt from the log. */
    void onPartitionAssigned(int kafkaPartition);

    /** The packets partition went to another instance: its state here is dropped. */
    void onPartitionRevoked(int kafkaPartition);

    /**
     * Sends what the records applied so far derive (START of new flows) and waits until every export was acknowledged
     * or failed. Ingest calls it before each offset commit and before the final one.
     */
    void flushExports();
}
