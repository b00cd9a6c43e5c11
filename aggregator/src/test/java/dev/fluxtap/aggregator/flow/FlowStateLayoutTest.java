package dev.fluxtap.aggregator.flow;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.openjdk.jol.info.ClassLayout;
import org.openjdk.jol.info.FieldLayout;

/**
 * With tens of thousands of flows a packet's flow state is rarely in cache: each cache line its update touches is a
 * miss. This checks, on the running JVM's real layout, that the fields of that update stay within a few lines.
 */
class FlowStateLayoutTest {

    private static final int LINE = 64;
    /** HotSpot aligns objects to 8 bytes: a span of n bytes may start anywhere in a line at that granularity. */
    private static final int ALIGNMENT = 8;

    /** Every FlowState field that FlowTable.applySummaries and FlowState.apply read or write for a packet of an open flow. */
    private static final Set<String> PER_PACKET = Set.of(
            "abPackets", "abBytes", "baPackets", "baBytes", "abFlags", "baFlags", "agentFirstSeen", "agentLastSeen",
            "abHighEnd", "baHighEnd", "abSeqKnown", "baSeqKnown", "abSegments", "baSegments",
            "ipVersion", "protocol", "aHi", "aLo", "aPort", "bHi", "bLo", "bPort", "tcp", "initiatorIsA",
            "firstSeen", "lastSeen", "synSeen", "synAckSeen", "handshakeAckSeen", "finFromA", "finFromB", "rstSeen",
            "handshakeAckTs", "dirty", "changedSinceExport", "owner");

    @Test
    void aPacketsUpdateTouchesAtMostFourCacheLines() {
        List<FieldLayout> hot = ClassLayout.parseClass(FlowState.class).fields().stream()
                .filter(f -> PER_PACKET.contains(f.name()))
                .toList();
        assertThat(hot.stream().map(FieldLayout::name).collect(Collectors.toSet())).isEqualTo(PER_PACKET);

        long from = hot.stream().mapToLong(FieldLayout::offset).min().orElseThrow();
        long to = hot.stream().mapToLong(f -> f.offset() + f.size()).max().orElseThrow();
        long worstLines = (to - from + (LINE - ALIGNMENT) + LINE - 1) / LINE;
        assertThat(worstLines).as("cache lines of the per-packet fields, span %d..%d of FlowState", from, to).isLessThanOrEqualTo(4);
    }

    @Test
    void exportBookkeepingIsNotInTheFlowState() {
        Set<String> fields = ClassLayout.parseClass(FlowState.class).fields().stream().map(FieldLayout::name)
                .collect(Collectors.toSet());

        assertThat(fields).contains("cold").doesNotContain("lastExportAt", "fwdPacketsExported", "fwdPacketsTicked", "synTs",
                "closeAt", "flowId");
    }
}
