package dev.fluxtap.aggregator.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.fluxtap.aggregator.config.StoreConfig;
import dev.fluxtap.aggregator.flow.Counters;
import dev.fluxtap.aggregator.flow.Flow;
import dev.fluxtap.aggregator.flow.FlowEvent;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TrafficMetricsTest {

    private static final long T0 = 1_700_000_000_000_000L; // a multiple of 10 s
    private static final long SEC = 1_000_000L;

    private static FlowEvent live(int protocol, long ts, long fwdBytes, long revBytes, long segments, long retransmits, Long rtt) {
        Flow f = new Flow("f", 0, 4, protocol, "10.0.0.1", 40000, "10.0.0.2", 443, ts, ts, Counters.ZERO, Counters.ZERO, null, rtt,
                0, 0, 0, false, null, List.of(), List.of(), Flow.pairKey("10.0.0.1", "10.0.0.2"),
                Flow.portKey(protocol, 443));
        return new FlowEvent(FlowEvent.Kind.LIVE, f, new Counters(1, fwdBytes, 0), new Counters(1, revBytes, 0),
                List.of(new FlowEvent.AgentDelta("agent-1", 1, fwdBytes, 1, revBytes)), segments, retransmits, rtt, ts, false);
    }

    private static FlowEvent liveFrom(String src, long ts, long bytes) {
        Flow f = new Flow("f-" + src, 0, 4, 17, src, 5000, "10.0.0.2", 53, ts, ts, Counters.ZERO, Counters.ZERO, null, null,
                0, 0, 0, false, null, List.of(), List.of(), Flow.pairKey(src, "10.0.0.2"), Flow.portKey(17, 53));
        return new FlowEvent(FlowEvent.Kind.LIVE, f, new Counters(1, bytes, 0), Counters.ZERO,
                List.of(new FlowEvent.AgentDelta("agent-1", 1, bytes, 0, 0)), 0, 0, null, ts, false);
    }

    @Test
    void perHostCountersAreKeptForTheLastMinuteOnlyHoweverLongTheHistory() {
        TrafficMetrics m = new TrafficMetrics(StoreConfig.defaults(), 1000, () -> 1, agent -> Set.of());
        for (int slot = 0; slot < 180; slot++) { // 30 minutes, 100 new client addresses in every 10 s slot
            for (int h = 0; h < 100; h++) {
                m.accept(liveFrom("10." + (slot / 100) + "." + (slot % 100) + "." + h, T0 + slot * 10 * SEC, 100));
            }
        }
        // The six slots of the last minute, each with its 100 clients and the server.
        assertThat(m.trackedHosts()).isEqualTo(6 * 101);
        assertThat(m.summary(1000).hosts()).hasSize(6 * 100 + 1);

        m.accept(liveFrom("10.9.9.9", T0 + 20 * 10 * SEC, 700)); // a late view, for a slot 26 minutes old
        assertThat(m.trackedHosts()).isEqualTo(6 * 101);
        assertThat(m.history("bps", 60 * 60 * SEC, 10 * SEC)).filteredOn(p -> p.tsMicros() == T0 + 200 * SEC)
                .singleElement().satisfies(p -> assertThat(p.value()).isEqualTo((100 * 100 + 700) * 8 / 10.0));
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

    @Test
    void everyProtocolSeenIsListedEvenWithoutBytesAndSurvivesExportAndMerge() {
        TrafficMetrics m = new TrafficMetrics(StoreConfig.defaults(), 100, () -> 1, agent -> Set.of());
        int[] protocols = {6, 17, 1, 58, 132, 47}; // more than a slot starts with room for
        for (int i = 0; i < protocols.length; i++) {
            m.accept(live(protocols[i], T0 + i * SEC, 100 * (i + 1), 0, 0, 0, null));
        }
        m.accept(live(50, T0 + 7 * SEC, 0, 0, 0, 0, null)); // a view without new bytes, such as a second observer's
        m.accept(live(6, T0 + 12 * SEC, 50, 50, 0, 0, null)); // the next slot
        TrafficMetrics.Summary s = m.summary(10);
        assertThat(s.protocols()).extracting(TrafficMetrics.ProtocolShare::protocol).containsExactly(1, 6, 17, 47, 50, 58, 132);
        assertThat(s.protocols()).extracting(TrafficMetrics.ProtocolShare::bytes).containsExactly(300L, 200L, 200L, 600L, 0L, 400L, 500L);
        List<TrafficMetrics.SlotData> slots = m.export(10);
        assertThat(slots).extracting(TrafficMetrics.SlotData::protocolBytes)
                .containsExactly(Map.of(6, 100L), Map.of(6, 100L, 17, 200L, 1, 300L, 58, 400L, 132, 500L, 47, 600L, 50, 0L));
        TrafficMetrics merged = new TrafficMetrics(StoreConfig.defaults(), 100, () -> 1, agent -> Set.of());
        slots.forEach(merged::add);
        slots.forEach(merged::add);
        merged.advanceTo(m.eventTimeMicros());
        assertThat(merged.summary(10).protocols()).extracting(TrafficMetrics.ProtocolShare::bytes)
                .containsExactly(600L, 400L, 400L, 1200L, 0L, 800L, 1000L);
    }

    @Test
    void aViewOlderThanTheRetentionIsNotCountedOnceANewerSlotTookItsPlace() {
        TrafficMetrics m = new TrafficMetrics(StoreConfig.defaults(), 100, () -> 1, agent -> Set.of());
        long retention = 3600 * SEC; // the default: the ring holds 360 slots of 10 s
        m.accept(live(6, T0 + SEC, 100, 0, 0, 0, null));
        m.accept(live(6, T0 + retention + SEC, 200, 0, 0, 0, null)); // same ring entry, an hour later
        m.accept(live(6, T0 + 2 * SEC, 400, 0, 0, 0, null)); // the first slot's time: gone with it
        m.accept(live(6, T0 + retention + 2 * SEC, 800, 0, 0, 0, null));
        m.accept(live(6, T0 + retention - 5 * SEC, 1600, 0, 0, 0, null)); // the newest slot's neighbour is still held
        assertThat(m.export(10)).extracting(TrafficMetrics.SlotData::startMicros, TrafficMetrics.SlotData::bytes)
                .containsExactly(tuple(T0 + retention, 1000L), tuple(T0 + retention - 10 * SEC, 1600L));
    }
}
