package dev.fluxtap.agent.observe;

import dev.fluxtap.agent.capture.CaptureStats;
import dev.fluxtap.agent.decode.DecodeStats;
import dev.fluxtap.agent.publish.SinkStats;
import java.util.List;

/** What the operations side reads from a running agent: the counters of every stage, and its health. */
public interface AgentTelemetry {

    List<CaptureStats> captureStats();

    DecodeStats.Totals decodeTotals();

    /** Summaries put on the capture-to-sender queue (including those dropped). */
    long queueOffered();

    long queueDrops();

    int queueDepth();

    int queueCapacity();

    /** Batches the batcher closed and handed to the sink. */
    long batchesClosed();

    SinkStats sinkStats();

    boolean captureOpen();

    boolean kafkaReachable();

    /** Bootstrap servers, for health output and log lines. */
    String kafkaBootstrapServers();

    /** Partition count of the packets topic, 0 until Kafka answered. */
    int kafkaPartitions();

    /** TCP stats polls completed (0 when the agent does not poll TCP stats). */
    default long tcpStatsPolls() {
        return 0;
    }

    default long tcpStatsErrors() {
        return 0;
    }
}
