package dev.fluxtap.aggregator.decode;

import java.util.List;
import java.util.Map;

/** An agent heartbeat: cumulative counters since the agent process (bootId) started. */
public record AgentReport(String agentId, String bootId, String hostId, String version, long tsMicros, long startedMicros,
                          List<String> interfaces, long packetsCaptured, long packetsDecoded, long kernelDrops, long interfaceDrops,
                          long queueDrops, long batchesLost, long sendFailures, long batchesSent, long summariesSent,
                          Map<String, Long> malformed) {
    public AgentReport {
        interfaces = List.copyOf(interfaces);
        malformed = Map.copyOf(malformed);
    }
}
