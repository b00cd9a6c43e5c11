package dev.fluxtap.aggregator.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fluxtap.aggregator.config.StoreConfig;
import dev.fluxtap.aggregator.flow.Counters;
import dev.fluxtap.aggregator.flow.Flow;
import dev.fluxtap.aggregator.flow.FlowEvent;
import dev.fluxtap.aggregator.flow.FlowObserver;
import dev.fluxtap.aggregator.observe.AggregatorMeters;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class FlowStoreTest {

    private static final long T0 = 1_700_000_000_000_000L;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private static FlowEvent event(String id, String src, int dport, int proto, String agent, long lastSeen, boolean ended) {
        Flow f = new Flow(id, 0, 4, proto, src, 40000, "10.0.0.9", dport, lastSeen - 10, lastSeen, new Counters(1, 60, 0), Counters.ZERO,
                null, null, 0, 0, 0, ended, ended ? "idle-timeout" : null,
                List.of(new FlowObserver(agent, Counters.ZERO, Counters.ZERO, 0, 0, 0, 0)), List.of());
        return new FlowEvent(ended ? FlowEvent.Kind.END : FlowEvent.Kind.LIVE, f, Counters.ZERO, Counters.ZERO, List.of(), 0, 0, null, lastSeen, false);
    }

    private static FlowQuery all() {
        return new FlowQuery(null, null, null, null, null, null, 100);
    }

    @Test
    void indexedQueriesAndEvictionByRetentionAndCapacity() {
        FlowStore store = new FlowStore(new StoreConfig(Duration.ofMinutes(60), 3, 10, Duration.ofSeconds(10), Duration.ofSeconds(1)),
                new AggregatorMeters(registry));
        store.accept(event("a", "10.0.0.1", 80, 6, "x", T0, false));
        store.accept(event("b", "10.0.0.2", 53, 17, "y", T0 + 1, false));
        store.accept(event("c", "10.0.0.1", 443, 6, "y", T0 + 2, false));
        assertThat(store.query(new FlowQuery("10.0.0.1", null, null, null, null, null, 100))).extracting(Flow::flowId).containsExactly("c", "a");
        assertThat(store.query(new FlowQuery(null, 53, null, null, null, null, 100))).extracting(Flow::flowId).containsExactly("b");
        assertThat(store.query(new FlowQuery(null, null, 6, "y", null, null, 100))).extracting(Flow::flowId).containsExactly("c");
        assertThat(store.query(new FlowQuery(null, null, null, null, null, T0 + 1, 100))).extracting(Flow::flowId).containsExactly("c", "b");
        store.accept(event("a", "10.0.0.1", 80, 6, "x", T0 + 3, true)); // update moves a to the newest end
        store.accept(event("d", "10.0.0.4", 22, 6, "x", T0 + 4, false)); // over capacity: b (least recently updated) goes
        assertThat(store.query(all())).extracting(Flow::flowId).containsExactly("d", "a", "c");
        assertThat(store.query(new FlowQuery(null, 53, null, null, null, null, 100))).isEmpty();
        assertThat(store.query(new FlowQuery(null, null, null, null, "ENDED", null, 100))).extracting(Flow::flowId).containsExactly("a");
        assertThat(registry.counter("fluxtap.aggregator.store.evictions", "cause", "capacity").count()).isEqualTo(1);
        store.accept(event("e", "10.0.0.5", 22, 6, "x", T0 + 61 * 60_000_000L, false)); // an hour later: all older ones expire
        assertThat(store.query(all())).extracting(Flow::flowId).containsExactly("e");
        assertThat(registry.counter("fluxtap.aggregator.store.evictions", "cause", "retention").count()).isEqualTo(3);
        assertThat(store.query(new FlowQuery("10.0.0.1", null, null, null, null, null, 100))).isEmpty();
    }

    @Test
    void aLateLiveViewDoesNotReopenAnEndedFlow() {
        FlowStore store = new FlowStore(StoreConfig.defaults(), new AggregatorMeters(registry));
        store.accept(event("a", "10.0.0.1", 80, 6, "x", T0, true));
        store.accept(event("a", "10.0.0.1", 80, 6, "x", T0, false));
        assertThat(store.query(all()).get(0).ended()).isTrue();
    }
}
