package dev.fluxtap.aggregator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fluxtap.aggregator.config.StoreConfig;
import dev.fluxtap.aggregator.flow.Counters;
import dev.fluxtap.aggregator.flow.Flow;
import dev.fluxtap.aggregator.flow.FlowEvent;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TrafficMetricsTest {

    private static final long T0 = 1_700_000_000_000_000L; // a multiple of 10 s
    private static final long SEC = 1_000_000L;

    private static FlowEvent live(int protocol, long ts, long fwdBytes, long revBytes, long segments, long retransmits, Long rtt) {
        Flow f = new Flow("f", 0, 4, protocol, "10.0.0.1", 40000, "10.0.0.2", 443, ts, ts, Counters.ZERO, Counters.ZERO, null, rtt,
                0, 0, 0, false, null, List.of(), List.of());
        return new FlowEvent(FlowEvent.Kind.LIVE, f, new Counters(1, fwdBytes, 0), new Counters(1, revBytes, 0),
                List.of(new FlowEvent.AgentDelta("agent-1", 1, fwdBytes, 1, revBytes)), segments, retransmits, rtt, ts, false);
    }

    @Test
    void ratesProtocolMixRttRetransmitsAndHistoryInEventTime() {
        TrafficMetrics m = new TrafficMetrics(StoreConfig.defaults(), 100, () -> 7,
                agent -> agent.equals("agent-1") ? Set.of("10.0.0.1") : Set.of());
        m.accept(live(6, T0, 600_000, 1_200_000, 100, 5, 1000L));
        m.accept(live(6, T0 + 20 * SEC, 0, 600_000, 100, 5, 3000L));
        m.accept(live(17, T0 + 50 * SEC, 600_000, 0, 0, 0, null));
        TrafficMetrics.Summary s = m.summary(10);
        assertThat(s.bps()).isEqualTo(3_000_000 * 8 / 60.0);
        assertThat(s.pps()).isEqualTo(6 / 60.0);
        assertThat(s.protocols()).containsExactly(new TrafficMetrics.ProtocolShare(6, 2_400_000, 0.8),
                new TrafficMetrics.ProtocolShare(17, 600_000, 0.2));
        assertThat(s.retransmitRate()).isEqualTo(0.05);
        assertThat(s.rttMicros().samples()).isEqualTo(2);
        assertThat(s.rttMicros().p99()).isEqualTo(3000.0);
        assertThat(s.activeFlows()).isEqualTo(7);
        assertThat(s.hosts()).first().satisfies(h -> {
            assertThat(h.ip()).isIn("10.0.0.1", "10.0.0.2");
            assertThat(h.inBps() + h.outBps()).isEqualTo(3_000_000 * 8 / 60.0);
        });
        TrafficMetrics.AgentRate agent = s.agents().get(0);
        assertThat(agent.outBps()).isEqualTo(1_200_000 * 8 / 60.0); // 10.0.0.1 is local to the agent: fwd leaves it
        assertThat(agent.inBps()).isEqualTo(1_800_000 * 8 / 60.0);
        List<TrafficMetrics.Point> history = m.history("bps", 60 * SEC, 10 * SEC);
        assertThat(history).hasSize(6);
        assertThat(history.get(0).tsMicros()).isEqualTo(T0);
        assertThat(history.get(0).value()).isEqualTo(1_800_000 * 8 / 10.0);
        assertThat(history.get(1).value()).isZero();
        assertThat(m.history("rttP50", 60 * SEC, 30 * SEC).get(0).value()).isNotNull();
        assertThat(m.history("retransmitRate", 120 * SEC, 60 * SEC).get(0).value()).isEqualTo(0.05); // points are aligned to the step
    }
}
