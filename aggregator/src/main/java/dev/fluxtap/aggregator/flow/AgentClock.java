package dev.fluxtap.aggregator.flow;

/**
 * Event time of one agent in one flow table: its newest packet timestamp (the watermark). Its flows' timeouts are
 * measured on it minus the allowed lateness, so agents whose clocks differ, or captures replayed from different
 * years, do not expire each other's flows.
 */
final class AgentClock {
    static final long NEVER = Long.MIN_VALUE;

    /** This agent's number in its table, in order of first batch: what a flow's {@link PacketRow} compares. */
    final int ordinal;
    long newest = NEVER;
    long nextTickAt = NEVER;

    AgentClock(int ordinal) {
        this.ordinal = ordinal;
    }
}
