package dev.fluxtap.aggregator.metrics;

import java.util.List;

/**
 * One agent as the aggregator knows it. {@code completeness} = 1 - (kernelDrops + queueDrops + lostPackets) /
 * packetsSeen, where lostPackets estimates the summaries of the batches missing from the sequence (lost batches times
 * the agent's mean batch size) and packetsSeen is what the agent captured plus what the kernel dropped (or, before
 * the first heartbeat, the summaries received).
 */
public record AgentView(String agentId, String bootId, String hostId, String version, String status, Long lastHeartbeatMicros,
                        long lastBatchMicros, long batchesReceived, long summariesReceived, long lostBatches, long duplicateBatches,
                        long packetsCaptured, long kernelDrops, long interfaceDrops, long queueDrops, long agentBatchesLost,
                        long sendFailures, double completeness, List<String> interfaces) {
}
