package dev.fluxtap.agent.observe;

import dev.fluxtap.agent.capture.CaptureStats;
import dev.fluxtap.agent.decode.DecodeStats;
import dev.fluxtap.agent.publish.LossReason;
import dev.fluxtap.agent.publish.SinkStats;
import dev.fluxtap.agent.publish.SpoolReport;
import java.util.List;
import java.util.Map;

/** Fixed counters for unit tests of the operations classes. */
final class FakeTelemetry implements AgentTelemetry {
    volatile boolean captureOpen = true;
    volatile boolean kafkaReachable = true;

    @Override
    public List<CaptureStats> captureStats() {
        return List.of(new CaptureStats("eth0", 100, 220, 3, 1, 2, captureOpen));
    }

    @Override
    public DecodeStats.Totals decodeTotals() {
        return DecodeStats.sum(List.of());
    }

    @Override
    public long queueOffered() {
        return 90;
    }

    @Override
    public long queueDrops() {
        return 5;
    }

    @Override
    public int queueDepth() {
        return 7;
    }

    @Override
    public int queueCapacity() {
        return 1024;
    }

    @Override
    public long batchesClosed() {
        return 4;
    }

    @Override
    public SinkStats sinkStats() {
        return new SinkStats(3, 85, 1, Map.of(LossReason.SEND_FAILED, 1L), 2, 0, 4, 0, Map.of(0, 2L), SpoolReport.NONE);
    }

    @Override
    public boolean captureOpen() {
        return captureOpen;
    }

    @Override
    public boolean kafkaReachable() {
        return kafkaReachable;
    }

    @Override
    public String kafkaBootstrapServers() {
        return "kafka-1:9092";
    }

    @Override
    public int kafkaPartitions() {
        return 6;
    }
}
