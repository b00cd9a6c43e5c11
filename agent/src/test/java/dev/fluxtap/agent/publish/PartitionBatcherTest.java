package dev.fluxtap.agent.publish;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fluxtap.agent.config.WireFormat;
import dev.fluxtap.agent.summarize.FlowHash;
import dev.fluxtap.agent.summarize.PacketSummary;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PartitionBatcherTest {

    /** A clock the test moves by hand: linger is tested in virtual time. */
    static final class ManualClock extends Clock {
        private Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final ManualClock clock = new ManualClock();
    private final BatchIdentity identity = new BatchIdentity("agent-1", "boot-1", List.of("eth0"));
    private final List<SummaryBatch> out = new ArrayList<>();

    static PacketSummary tcp(int srcIp, int srcPort, int dstIp, int dstPort) {
        return new PacketSummary(1_000_000L, 0, 4, 6, 0, srcIp & 0xFFFF_FFFFL, 0, dstIp & 0xFFFF_FFFFL, srcPort, dstPort, 60, 64, 0x10, 1, 2, 100, 0, 0, 0);
    }

    @Test
    void closes_a_batch_at_the_size_limit_with_sequences_from_zero() {
        PartitionBatcher b = new PartitionBatcher(1, 3, 1 << 20, Duration.ofMillis(100), WireFormat.COLUMNS, identity, clock);
        for (int i = 0; i < 7; i++) {
            b.add(tcp(0x0A000001, 1000 + i, 0x0A000002, 80), out::add);
        }
        assertThat(out).extracting(SummaryBatch::sequence).containsExactly(0L, 1L);
        assertThat(out).allSatisfy(batch -> assertThat(batch.summaries()).hasSize(3));
        assertThat(b.pendingSummaries()).isEqualTo(1);
        b.flushAll(out::add);
        assertThat(out).extracting(SummaryBatch::sequence).containsExactly(0L, 1L, 2L);
        assertThat(out.get(2).identity()).isEqualTo(identity);
    }

    /** 100 summaries reach a limit of 100 x their size: one byte more or less per summary would close it at 99 or 101. */
    @ParameterizedTest
    @CsvSource({"COLUMNS, 4, 47", "COLUMNS, 6, 71", "ROWS, 4, 40", "ROWS, 6, 64"})
    void closes_a_batch_at_the_byte_limit_by_the_size_of_a_summary_in_its_wire_format(WireFormat format, int ipVersion, int summaryBytes) {
        PartitionBatcher b = new PartitionBatcher(1, 1000, PartitionBatcher.BATCH_OVERHEAD_BYTES + 100 * summaryBytes, Duration.ofMillis(100),
                format, identity, clock);
        PacketSummary summary = new PacketSummary(1_000_000L, 0, ipVersion, 6, 0, 1, 0, 2, 1000, 80, 60, 64, 0x10, 1, 2, 100, 0, 0, 0);
        for (int i = 0; i < 99; i++) {
            b.add(summary, out::add);
        }
        assertThat(out).as("99 summaries stay under the limit").isEmpty();
        b.add(summary, out::add);
        assertThat(out).singleElement().satisfies(batch -> assertThat(batch.summaries()).hasSize(100));
    }

    @Test
    void closes_a_batch_when_its_oldest_summary_waited_the_linger_time() {
        PartitionBatcher b = new PartitionBatcher(4, 1000, 1 << 20, Duration.ofMillis(100), WireFormat.COLUMNS, identity, clock);
        b.add(tcp(1, 1, 2, 80), out::add);
        clock.advance(Duration.ofMillis(60));
        b.add(tcp(1, 1, 2, 80), out::add);
        assertThat(b.millisUntilNextDue()).isEqualTo(40);
        b.flushDue(out::add);
        assertThat(out).isEmpty();
        clock.advance(Duration.ofMillis(40));
        b.flushDue(out::add);
        assertThat(out).singleElement().satisfies(batch -> {
            assertThat(batch.summaries()).hasSize(2);
            assertThat(batch.createdMicros()).isEqualTo(clock.millis() * 1000);
        });
        assertThat(b.millisUntilNextDue()).as("nothing open: a full linger").isEqualTo(100);
    }

    @Test
    void both_directions_of_a_flow_go_to_one_partition_and_partitions_spread() {
        PartitionBatcher b = new PartitionBatcher(12, 1000, 1 << 20, Duration.ofMillis(100), WireFormat.COLUMNS, identity, clock);
        java.util.Set<Integer> used = new java.util.HashSet<>();
        for (int port = 1024; port < 1124; port++) {
            PacketSummary forward = tcp(0x0A000001, port, 0x0A000002, 443);
            PacketSummary backward = tcp(0x0A000002, 443, 0x0A000001, port);
            assertThat(b.partitionOf(forward)).isEqualTo(b.partitionOf(backward));
            assertThat(FlowHash.of(forward)).isEqualTo(FlowHash.of(backward));
            used.add(b.partitionOf(forward));
        }
        assertThat(used).hasSize(12);
    }

    @Test
    void sequences_are_per_partition() {
        PartitionBatcher b = new PartitionBatcher(8, 1, 1 << 20, Duration.ofMillis(100), WireFormat.COLUMNS, identity, clock);
        for (int port = 0; port < 200; port++) {
            b.add(tcp(1, port, 2, 80), out::add);
        }
        java.util.Map<Integer, List<Long>> byPartition = new java.util.TreeMap<>();
        out.forEach(batch -> byPartition.computeIfAbsent(batch.partition(), p -> new ArrayList<>()).add(batch.sequence()));
        byPartition.values().forEach(seqs -> {
            for (int i = 0; i < seqs.size(); i++) {
                assertThat(seqs.get(i)).isEqualTo(i);
            }
        });
        assertThat(byPartition).hasSize(8);
    }
}
