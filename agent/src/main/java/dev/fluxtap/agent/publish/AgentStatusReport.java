package dev.fluxtap.agent.publish;

import java.util.List;
import java.util.Map;

/** The agent heartbeat, as the sink publishes it to {@code fluxtap.agents.v1}; fields as in the AgentStatus schema. */
public record AgentStatusReport(
        String agentId,
        String bootId,
        String hostId,
        String version,
        long tsMicros,
        long startedMicros,
        List<InterfaceReport> interfaces,
        long packetsCaptured,
        long packetsDecoded,
        Map<String, Long> malformed,
        Map<String, Long> skipped,
        long queueDrops,
        long batchesSent,
        long summariesSent,
        long sendFailures,
        long batchesLost,
        long spoolBytes,
        Map<Integer, Long> lastSequences,
        long tcpStatsPolls,
        long tcpStatsErrors,
        double processCpuSeconds,
        long rssBytes,
        double hostLoad1) {

    public AgentStatusReport {
        interfaces = List.copyOf(interfaces);
        malformed = Map.copyOf(malformed);
        skipped = Map.copyOf(skipped);
        lastSequences = Map.copyOf(lastSequences);
    }

    /** Capture counters of one interface or file. */
    public record InterfaceReport(String name, long packetsReceived, long kernelPacketsReceived, long kernelDrops, long interfaceDrops,
                                  boolean open) {
    }
}
