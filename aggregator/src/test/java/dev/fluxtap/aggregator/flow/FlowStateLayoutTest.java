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
 * miss. This checks, on the running JVM's real layout, that the fields of that update stay within a few lines. (Most
 * packets of an open flow only touch its row in the index, see {@link PacketRow}; these are the others.)
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

    /** Fields FlowTable reads ahead of a batch's updates: those of FlowState.hasKey, then of touchPerPacketLines. */
    private static final Set<String> READ_AHEAD = Set.of("ipVersion", "protocol", "aHi", "aLo", "aPort", "bHi", "bLo", "bPort",
            "abHighEnd", "abSegments", "owner");

    @Test
    void theLookAheadReadsAFieldOnEveryCacheLineOfAPacketsUpdate() {
        List<FieldLayout> fields = ClassLayout.parseClass(FlowState.class).fields().stream().toList();
        long from = fields.stream().filter(f -> PER_PACKET.contains(f.name())).mapToLong(FieldLayout::offset).min().orElseThrow();
        long last = fields.stream().filter(f -> PER_PACKET.contains(f.name())).mapToLong(FieldLayout::offset).max().orElseThrow();
        List<Long> read = fields.stream().filter(f -> READ_AHEAD.contains(f.name())).map(FieldLayout::offset).sorted().toList();
        assertThat(read).hasSize(READ_AHEAD.size());

        // A line boundary may fall at any 8-byte offset: a line is missed only between reads a line or more apart, or
        // before the first read and after the last.
        assertThat(read.get(0)).as("first per-packet field read ahead").isEqualTo(from);
        assertThat(read.get(read.size() - 1)).as("last per-packet field read ahead").isEqualTo(last);
        for (int i = 1; i < read.size(); i++) {
            assertThat(read.get(i) - read.get(i - 1)).as("gap between reads ahead at %d and %d", read.get(i - 1), read.get(i))
                    .isLessThanOrEqualTo(LINE);
        }
    }

    @Test
    void exportBookkeepingIsNotInTheFlowState() {
        Set<String> fields = ClassLayout.parseClass(FlowState.class).fields().stream().map(FieldLayout::name)
                .collect(Collectors.toSet());

        assertThat(fields).contains("cold").doesNotContain("lastExportAt", "fwdPacketsExported", "fwdPacketsTicked", "synTs",
                "closeAt", "flowId");
    }
}
