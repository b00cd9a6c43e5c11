package dev.fluxtap.aggregator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fluxtap.aggregator.config.ClusterConfig;
import dev.fluxtap.aggregator.config.StoreConfig;
import dev.fluxtap.aggregator.metrics.TrafficMetrics;
import dev.fluxtap.aggregator.observe.AggregatorMeters;
import dev.fluxtap.aggregator.topk.Dimension;
import dev.fluxtap.aggregator.topk.TopTalkers;
import dev.fluxtap.aggregator.topk.TopTalkersResult;
import dev.fluxtap.schemas.avro.AggregatePartial;
import dev.fluxtap.schemas.avro.MetricSlot;
import dev.fluxtap.schemas.avro.TalkerCount;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ClusterViewTest {

    /** A clock the test moves. */
    private static final class TestClock extends Clock {
        long millis = 1_700_000_000_000L;

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }
    }


    private static AggregatePartial partial(String id, boolean exact, long maxError, Map<String, Long> hosts, long slotStart, long slotBytes) {
        return partial(id, List.of(), 0, exact, maxError, hosts, slotStart, slotBytes);
    }

    private static AggregatePartial partial(String id, List<Integer> partitions, long tsMicros, boolean exact, long maxError,
                                            Map<String, Long> hosts, long slotStart, long slotBytes) {
        List<TalkerCount> entries = hosts.entrySet().stream().map(e -> new TalkerCount(e.getKey(), e.getValue())).toList();
        long total = hosts.values().stream().mapToLong(Long::longValue).sum() + maxError;
        return AggregatePartial.newBuilder().setInstanceId(id).setPartitions(partitions).setWindow("60m").setWindowEndMicros(slotStart + 60_000_000L)
                .setTsMicros(tsMicros).setTopTalkers(List.of(dev.fluxtap.schemas.avro.TopTalkers.newBuilder().setWindow("5m").setDimension("host")
                        .setMetric("bytes").setTotal(total).setExact(exact).setMaxError(maxError).setEntries(entries).setSketch(null).build()))
                .setProtocolBytes(Map.of()).setRttSketch(null).setApiUrl("http://" + id + ":8080").setEventTimeMicros(slotStart + 5_000_000L)
                .setSlots(List.of(MetricSlot.newBuilder().setStartMicros(slotStart).setPackets(slotBytes / 100).setIpBytes(slotBytes)
                        .setFlowsActive(1).setProtocolBytes(Map.of("6", slotBytes)).setHosts(List.of()).setAgents(List.of()).setRttSketch(null).build()))
                .setFlowsActive(1).setAgentBatches(List.of()).build(); // set: the builder's default needs the codec set up first
    }

    @Test
    void mergesLivePartialsWithTheirErrorBoundsAndDropsSilentOrLeavingPeers() {
        TestClock clock = new TestClock();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ClusterConfig config = ClusterConfig.defaults().withIntervals(Duration.ofSeconds(1), Duration.ofSeconds(5));
        ClusterView view = new ClusterView("me", new EmptyLocalState(), a -> new TrafficMetrics(StoreConfig.defaults(), 100, a, x -> Set.of()),
                config, new AggregatorMeters(registry), clock);
        long slot = 1_700_000_000_000_000L;
        view.accept(partial("me", true, 0, Map.of("10.0.0.1", 10L, "10.0.0.2", 5L), slot, 1000));
        view.accept(partial("peer-1", false, 2, Map.of("10.0.0.1", 3L, "10.0.0.3", 7L), slot, 3000));
        view.accept(partial("peer-2", true, 0, Map.of("10.0.0.2", 1L), slot, 500));
        assertThat(view.peers()).extracting(ClusterView.Member::instanceId).containsExactly("peer-1", "peer-2");

        TopTalkersResult r = view.topTalkers(Dimension.HOST, "5m", true, 10, false);
        assertThat(r.entries()).containsExactly(new TopTalkersResult.Entry("10.0.0.1", 13), new TopTalkersResult.Entry("10.0.0.3", 7),
                new TopTalkersResult.Entry("10.0.0.2", 6));
        assertThat(r.exact()).isFalse(); // peer-1 truncated its list: a key it left out may have up to 2 there
        assertThat(r.maxError()).isEqualTo(2);
        assertThat(r.total()).isEqualTo(15 + 12 + 1);
        assertThat(view.metrics(false).summary(10).pps()).isEqualTo((10 + 30 + 5) / 60.0);
        assertThat(view.metrics(false).summary(10).activeFlows()).isEqualTo(3);
        assertThat(view.topTalkers(Dimension.HOST, "5m", true, 10, true).entries()).as("scope=local").isEmpty();

        view.remove("peer-2"); // its tombstone
        clock.millis += 6_000; // peer-1 went silent
        view.accept(partial("me", true, 0, Map.of("10.0.0.1", 10L), slot, 1000));
        assertThat(view.peers()).isEmpty();
        view.expire();
        assertThat(registry.get("fluxtap.aggregator.cluster.peers.expired").counter().count()).isEqualTo(1);
        assertThat(view.members()).extracting(ClusterView.Member::instanceId).containsExactly("me");
        // Alone again: answers come from the local state, not from this instance's last partial.
        assertThat(view.topTalkers(Dimension.HOST, "5m", true, 10, false).entries()).isEmpty();
    }

    @Test
    void aPartialClaimingAPartitionSomeoneClaimsMoreRecentlyIsLeftOut() {
        ClusterView view = new ClusterView("me", new EmptyLocalState(), a -> new TrafficMetrics(StoreConfig.defaults(), 100, a, x -> Set.of()),
                ClusterConfig.defaults(), new AggregatorMeters(new SimpleMeterRegistry()), new TestClock());
        long slot = 1_700_000_000_000_000L;
        // "killed" owned 4 and 5 and went silent; "me" and "peer" rebuilt them and published later.
        view.accept(partial("killed", List.of(4, 5), 100, true, 0, Map.of("10.0.0.9", 50L), slot, 1000));
        view.accept(partial("me", List.of(0, 1, 4), 200, true, 0, Map.of("10.0.0.9", 30L), slot, 1000));
        view.accept(partial("peer", List.of(2, 3), 150, true, 0, Map.of("10.0.0.9", 1L), slot, 1000));
        assertThat(view.members()).as("flow queries still ask it").extracting(ClusterView.Member::instanceId)
                .containsExactly("killed", "me", "peer");
        assertThat(view.topTalkers(Dimension.HOST, "5m", true, 10, false).entries()).containsExactly(new TopTalkersResult.Entry("10.0.0.9", 31));
    }
}
