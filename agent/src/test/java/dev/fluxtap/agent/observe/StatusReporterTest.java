package dev.fluxtap.agent.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fluxtap.agent.publish.AgentStatusReport;
import dev.fluxtap.agent.publish.BatchIdentity;
import dev.fluxtap.agent.publish.RecordSink;
import dev.fluxtap.agent.publish.SinkStats;
import dev.fluxtap.agent.publish.SpoolReport;
import dev.fluxtap.agent.publish.SummaryBatch;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import reactor.test.scheduler.VirtualTimeScheduler;

class StatusReporterTest {

    /** Records what it is given; a unit-test stand-in for the Kafka sink. */
    static final class RecordingSink implements RecordSink {
        final List<AgentStatusReport> statuses = new CopyOnWriteArrayList<>();

        @Override
        public void start() {
        }

        @Override
        public OptionalInt partitionCount() {
            return OptionalInt.of(1);
        }

        @Override
        public void send(SummaryBatch batch) {
        }

        @Override
        public void send(AgentStatusReport status) {
            statuses.add(status);
        }

        @Override
        public void send(dev.fluxtap.agent.tcpstats.TcpStatsSnapshot snapshot, dev.fluxtap.agent.publish.BatchIdentity identity) {
        }

        @Override
        public boolean isReachable() {
            return true;
        }

        @Override
        public SinkStats stats() {
            return new SinkStats(0, 0, 0, Map.of(), 0, 0, 0, 0, Map.of(), SpoolReport.NONE);
        }

        @Override
        public void stop(Duration timeout) {
        }
    }

    @Test
    void heartbeat_every_interval_with_every_field_filled_and_a_last_one_at_stop() {
        VirtualTimeScheduler time = VirtualTimeScheduler.create();
        RecordingSink sink = new RecordingSink();
        Clock clock = Clock.fixed(Instant.parse("2026-11-22T03:00:00Z"), ZoneOffset.UTC);
        StatusReporter reporter = new StatusReporter(new FakeTelemetry(), sink, new BatchIdentity("a1", "b1", List.of("eth0")), "host-1", "1.2.3",
                clock, time, Duration.ofSeconds(10));
        reporter.start();
        time.advanceTimeBy(Duration.ofSeconds(9));
        assertThat(sink.statuses).isEmpty();
        time.advanceTimeBy(Duration.ofSeconds(1));
        assertThat(sink.statuses).hasSize(1);
        time.advanceTimeBy(Duration.ofSeconds(30));
        assertThat(sink.statuses).hasSize(4);
        reporter.stop();
        assertThat(sink.statuses).hasSize(5);

        AgentStatusReport r = sink.statuses.get(0);
        assertThat(r.agentId()).isEqualTo("a1");
        assertThat(r.bootId()).isEqualTo("b1");
        assertThat(r.hostId()).isEqualTo("host-1");
        assertThat(r.version()).isEqualTo("1.2.3");
        assertThat(r.tsMicros()).isEqualTo(Instant.parse("2026-11-22T03:00:00Z").toEpochMilli() * 1000);
        assertThat(r.interfaces()).containsExactly(new AgentStatusReport.InterfaceReport("eth0", 100, 220, 3, 1, true));
        assertThat(r.queueDrops()).isEqualTo(5);
        assertThat(r.malformed()).containsEntry("capture-error", 2L);
        assertThat(r.packetsCaptured()).isEqualTo(2);
        assertThat(r.batchesSent()).isEqualTo(3);
        assertThat(r.summariesSent()).isEqualTo(85);
        assertThat(r.sendFailures()).isEqualTo(1);
        assertThat(r.batchesLost()).isEqualTo(1);
        assertThat(r.lastSequences()).containsEntry(0, 2L);
        assertThat(r.processCpuSeconds()).isPositive();
        assertThat(r.rssBytes()).isPositive();
        assertThat(r.hostLoad1()).isGreaterThanOrEqualTo(0);
    }
}
