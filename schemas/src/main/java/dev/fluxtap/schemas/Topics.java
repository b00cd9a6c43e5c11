package dev.fluxtap.schemas;

import java.util.List;

/** Kafka topic names of the contract. The major version is part of the name: a breaking change means a new topic. */
public final class Topics {
    /** {@code PacketBatch}; key: canonical flow-key bucket (the partition number as a 4-byte int). */
    public static final String PACKETS = "fluxtap.packets.v1";
    /** {@code TcpStatsSnapshot}; key: host id. */
    public static final String TCP_STATS = "fluxtap.tcpstats.v1";
    /** {@code AgentStatus}; key: agent id; compacted. */
    public static final String AGENTS = "fluxtap.agents.v1";
    /** {@code FlowRecord}; key: flow id. */
    public static final String FLOWS = "fluxtap.flows.v1";
    /** {@code AggregatePartial}; key: instance id + window. */
    public static final String AGGREGATES = "fluxtap.aggregates.v1";
    /** The original bytes of records that could not be decoded; key: the original key; headers say why. */
    public static final String DEADLETTER = "fluxtap.deadletter.v1";

    /** Every topic of the contract, in data-flow order. */
    public static final List<String> ALL = List.of(PACKETS, TCP_STATS, AGENTS, FLOWS, AGGREGATES, DEADLETTER);

    /** Header names on {@link #DEADLETTER} records. */
    public static final class DeadletterHeaders {
        public static final String REASON = "fluxtap.deadletter.reason";
        public static final String DETAIL = "fluxtap.deadletter.detail";
        public static final String SOURCE_TOPIC = "fluxtap.deadletter.source.topic";
        public static final String SOURCE_PARTITION = "fluxtap.deadletter.source.partition";
        public static final String SOURCE_OFFSET = "fluxtap.deadletter.source.offset";

        private DeadletterHeaders() {
        }
    }

    private Topics() {
    }
}
