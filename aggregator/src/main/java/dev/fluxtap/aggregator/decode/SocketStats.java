package dev.fluxtap.aggregator.decode;

/** One kernel TCP socket of a TCP stats snapshot; nullable values are unknown to the agent's source. */
public record SocketStats(String localIp, int localPort, String remoteIp, int remotePort, String state, Long rttMicros,
                          Integer cwndSegments, Long retransmitsTotal, Integer pid, String processName, String containerId) {
}
