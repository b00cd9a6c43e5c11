package dev.fluxtap.aggregator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fluxtap.aggregator.config.StoreConfig;
import dev.fluxtap.aggregator.flow.Counters;
import dev.fluxtap.aggregator.flow.Flow;
import dev.fluxtap.aggregator.flow.FlowEvent;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Metrics of several partitions, exported as slots and added into one, answer like one that saw everything. */
class TrafficMetricsMergeTest {

    private static final long T0 = 1_700_000_000_000_000L;
    private static final long SEC = 1_000_000L;

    private static FlowEvent live(String src, long ts, long bytes, Long rtt) {
        Flow f = new Flow("f", 0, 4, 6, src, 40000, "10.0.0.2", 443, ts, ts, Counters.ZERO, Counters.ZERO, null, rtt, 0, 0, 0, false, null,
                List.of(), List.of(), Flow.pairKey(src, "10.0.0.2"), Flow.portKey(6, 443));
        return new FlowEvent(FlowEvent.Kind.LIVE, f, new Counters(2, bytes, 0), new Counters(1, bytes / 2, 0),
                List.of(new FlowEvent.AgentDelta("agent-1", 2, bytes, 1, bytes / 2)), 3, 1, rtt, ts, false);
    }

    private static TrafficMetrics metrics() {
        return new TrafficMetrics(StoreConfig.defaults(), 100, () -> 0, a -> Set.of("10.0.0.2"));
    }

    @Test
    void exportedSlotsAddUpToTheWholeSummaryAndHistory() {
        TrafficMetrics all = metrics();
        TrafficMetrics a = metrics();
        TrafficMetrics b = metrics();
        for (int i = 0; i < 90; i++) {
            FlowEvent e = live("10.0.1." + (i % 7), T0 + i * SEC, 1000 + i, i % 5 == 0 ? 1000L + i : null);
            all.accept(e);
            (i % 2 == 0 ? a : b).accept(e);
        }
        TrafficMetrics merged = metrics();
        for (TrafficMetrics part : List.of(a, b)) {
            part.export(Integer.MAX_VALUE).forEach(merged::add);
            merged.advanceTo(part.eventTimeMicros());
        }
        TrafficMetrics.Summary expected = all.summary(10);
        TrafficMetrics.Summary actual = merged.summary(10);
        assertThat(actual.eventTimeMicros()).isEqualTo(expected.eventTimeMicros());
        assertThat(actual.bps()).isEqualTo(expected.bps());
        assertThat(actual.pps()).isEqualTo(expected.pps());
        assertThat(actual.protocols()).isEqualTo(expected.protocols());
        assertThat(actual.tcpRetransmits()).isEqualTo(expected.tcpRetransmits());
        assertThat(actual.hosts()).isEqualTo(expected.hosts());
        assertThat(actual.agents()).isEqualTo(expected.agents());
        assertThat(actual.rttMicros().samples()).isEqualTo(expected.rttMicros().samples());
        assertThat(merged.history("bps", 120 * SEC, 10 * SEC)).isEqualTo(all.history("bps", 120 * SEC, 10 * SEC));
        assertThat(merged.history("rttP50", 120 * SEC, 10 * SEC)).extracting(TrafficMetrics.Point::tsMicros)
                .isEqualTo(all.history("rttP50", 120 * SEC, 10 * SEC).stream().map(TrafficMetrics.Point::tsMicros).toList());
    }
}
