package dev.fluxtap.aggregator.flow;

/** Kernel socket stats of one monitored end of a TCP flow, from the latest TCP stats snapshot of its host. */
public record FlowSocket(String hostId, long tsMicros, String localIp, int localPort, String remoteIp, int remotePort,
                         String state, Long rttMicros, Integer cwndSegments, Long retransmitsTotal, Integer pid,
                         String processName, String containerId) {
}
