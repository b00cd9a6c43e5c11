package dev.fluxtap.agent.capture;

/**
 * Counters of one capture (an interface or a capture file).
 *
 * @param name                   interface name or file
 * @param packetsReceived        frames handed to the agent
 * @param kernelPacketsReceived  pcap_stats ps_recv (Linux loopback counts each packet twice)
 * @param kernelDrops            pcap_stats ps_drop
 * @param interfaceDrops         pcap_stats ps_ifdrop
 * @param framesLost             frames libpcap delivered that pcap4j failed to hand over (an impossible timestamp in a
 *                               damaged file makes its callback throw); counted, never silent
 * @param open                   whether the capture is open now
 */
public record CaptureStats(String name, long packetsReceived, long kernelPacketsReceived, long kernelDrops, long interfaceDrops,
                           long framesLost, boolean open) {

    /** The reason label under which lost frames join the malformed counts (status map, inspect stats line). */
    public static final String LOST_REASON = "capture-error";
}
