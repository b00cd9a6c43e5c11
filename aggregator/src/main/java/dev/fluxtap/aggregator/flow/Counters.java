package dev.fluxtap.aggregator.flow;

/** Packets, IP-layer bytes and the OR of TCP flags of one direction. */
public record Counters(long packets, long ipBytes, int tcpFlags) {
    public static final Counters ZERO = new Counters(0, 0, 0);
}
