package dev.fluxtap.agent.publish;

import dev.fluxtap.agent.tcpstats.TcpStatsSnapshot;
import java.time.Duration;
import java.util.OptionalInt;

/**
 * Where batches and heartbeats go. Sending never blocks the caller: the outcome of every send is counted in
 * {@link #stats()}, and failures are logged (sampled).
 */
public interface RecordSink {

    /** Connects in the background; Kafka being down is not an error here, it is retried. */
    void start();

    /** Partition count of the packets topic, once the broker has told it. */
    OptionalInt partitionCount();

    /** Sends a batch asynchronously. */
    void send(SummaryBatch batch);

    /** Sends a heartbeat asynchronously. */
    void send(AgentStatusReport status);

    /** Sends a TCP connection stats snapshot asynchronously, stamped with the agent's identity. */
    void send(TcpStatsSnapshot snapshot, BatchIdentity identity);

    /** Whether the broker answered recently (readiness). */
    boolean isReachable();

    SinkStats stats();

    /** Waits up to the timeout for what was handed over to be sent, then closes. */
    void stop(Duration timeout);
}
