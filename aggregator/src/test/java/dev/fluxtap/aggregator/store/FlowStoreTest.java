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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FlowStoreTest {

    private static final long T0 = 1_700_000_000_000_000L;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private static FlowEvent event(String id, String src, int dport, int proto, String agent, long lastSeen, boolean ended) {
        Flow f = new Flow(id, 0, 4, proto, src, 40000, "10.0.0.9", dport, lastSeen - 10, lastSeen, new Counters(1, 60, 0), Counters.ZERO,
                null, null, 0, 0, 0, ended, ended ? "idle-timeout" : null,
                List.of(new FlowObserver(agent, Counters.ZERO, Counters.ZERO, 0, 0, 0, 0)), List.of(),
                Flow.pairKey(src, "10.0.0.9"), Flow.portKey(proto, dport));
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

    @Test
    void viewsStoredTogetherEndAsViewsStoredOneByOne() {
        StoreConfig config = new StoreConfig(Duration.ofMinutes(60), 200, 10, Duration.ofSeconds(10), Duration.ofSeconds(1));
        SimpleMeterRegistry oneByOneMeters = new SimpleMeterRegistry();
        FlowStore oneByOne = new FlowStore(config, new AggregatorMeters(oneByOneMeters));
        FlowStore together = new FlowStore(config, new AggregatorMeters(registry));
        List<Flow> fedOneByOne = new ArrayList<>(), fedTogether = new ArrayList<>();
        oneByOne.updates().subscribe(fedOneByOne::add);
        together.updates().subscribe(fedTogether::add);
        Random random = new Random(7);
        List<FlowEvent> events = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            events.add(event("f" + random.nextInt(300), "10.0.0." + random.nextInt(20), 80 + random.nextInt(5), 6, "x",
                    T0 + i * 1000L + (random.nextInt(10) == 0 ? 70 * 60_000_000L : 0), random.nextInt(6) == 0));
        }
        events.forEach(oneByOne::accept);
        // Runs longer than the views stored per taking of the lock (256), and shorter ones
        for (int from = 0; from < events.size(); ) {
            int to = Math.min(events.size(), from + 1 + random.nextInt(700));
            together.acceptAll(events.subList(from, to));
            from = to;
        }
        FlowQuery everything = new FlowQuery(null, null, null, null, null, null, 1000);
        assertThat(together.query(everything)).isEqualTo(oneByOne.query(everything)).hasSize(200);
        assertThat(fedTogether).isEqualTo(fedOneByOne).hasSizeGreaterThan(2000); // not the late views of ended flows
        for (String cause : List.of("capacity", "retention")) {
            assertThat(registry.counter("fluxtap.aggregator.store.evictions", "cause", cause).count()).as(cause)
                    .isEqualTo(oneByOneMeters.counter("fluxtap.aggregator.store.evictions", "cause", cause).count()).isPositive();
        }
    }

    /** The store as it was with a LinkedHashMap in update order: the reference for the randomised comparison below. */
    private static final class ReferenceStore {
        final LinkedHashMap<String, Flow> byId = new LinkedHashMap<>();
        final long retentionMicros;
        final int maxFlows;
        long clock = Long.MIN_VALUE, retentionEvictions, capacityEvictions;
        final List<Flow> emitted = new ArrayList<>();

        ReferenceStore(StoreConfig config) {
            retentionMicros = config.retention().toNanos() / 1000;
            maxFlows = config.maxFlows();
        }

        void accept(Flow flow) {
            Flow previous = byId.remove(flow.flowId());
            if (previous != null && previous.ended() && !flow.ended()) {
                byId.put(previous.flowId(), previous);
                return;
            }
            byId.put(flow.flowId(), flow);
            clock = Math.max(clock, flow.lastSeenMicros());
            Iterator<Flow> it = byId.values().iterator();
            while (it.hasNext()) {
                Flow head = it.next();
                boolean expired = head.lastSeenMicros() < clock - retentionMicros;
                if (!expired && byId.size() <= maxFlows) {
                    break;
                }
                it.remove();
                if (expired) {
                    retentionEvictions++;
                } else {
                    capacityEvictions++;
                }
            }
            emitted.add(flow);
        }

        List<Flow> query(FlowQuery q) {
            List<Flow> out = new ArrayList<>(byId.values().stream().filter(f -> FlowStore.matches(f, q)).toList());
            out.sort(Comparator.comparingLong(Flow::lastSeenMicros).reversed().thenComparing(Flow::flowId));
            return out.size() > q.limit() ? out.subList(0, q.limit()) : out;
        }
    }

    @Test
    void updatesEvictionsIndexesAndTheFeedMatchTheReferenceOnRandomViews() {
        StoreConfig config = new StoreConfig(Duration.ofMinutes(60), 12, 10, Duration.ofSeconds(10), Duration.ofSeconds(1));
        FlowStore store = new FlowStore(config, new AggregatorMeters(registry));
        ReferenceStore reference = new ReferenceStore(config);
        List<Flow> fed = new ArrayList<>();
        Random random = new Random(42);
        long now = T0;
        boolean[] twoObservers = new boolean[40];
        for (int step = 0; step < 3000; step++) {
            if (step == 1500) {
                store.updates().subscribe(fed::add);
                reference.emitted.clear();
            }
            if (random.nextInt(200) == 0) {
                int partition = random.nextInt(3);
                store.removePartition(partition);
                reference.byId.values().removeIf(f -> f.partition() == partition);
            } else {
                int i = random.nextInt(40);
                twoObservers[i] |= random.nextInt(10) == 0;
                now += random.nextInt(5) == 0 ? random.nextLong(20 * 60_000_000L) : random.nextLong(1000);
                long lastSeen = now - (random.nextInt(4) == 0 ? random.nextLong(70 * 60_000_000L) : 0);
                List<FlowObserver> observers = twoObservers[i]
                        ? List.of(new FlowObserver("x", Counters.ZERO, Counters.ZERO, 0, 0, 0, 0),
                                new FlowObserver("y" + i % 2, Counters.ZERO, Counters.ZERO, 0, 0, 0, 0))
                        : List.of(new FlowObserver("x", Counters.ZERO, Counters.ZERO, 0, 0, 0, 0));
                // Some flows have one address or one port at both ends; any view may name either end the source (a
                // late SYN turns a flow round).
                String src = "10.0.0." + i % 7, dst = i % 11 == 0 ? src : "10.0.1." + i % 5;
                int proto = i % 3 == 0 ? 17 : 6, dport = 440 + i % 4, sport = i % 13 == 0 ? dport : 40000 + i;
                if (random.nextInt(6) == 0) {
                    String a = src;
                    src = dst;
                    dst = a;
                    int p = sport;
                    sport = dport;
                    dport = p;
                }
                Flow f = new Flow("id" + i, i % 3, 4, proto, src, sport, dst, dport, lastSeen - 10, lastSeen, new Counters(1, 60, 0),
                        Counters.ZERO, null, null, 0, 0, 0, random.nextInt(8) == 0, null, observers, List.of(), Flow.pairKey(src, dst),
                        Flow.portKey(proto, dport));
                store.accept(new FlowEvent(f.ended() ? FlowEvent.Kind.END : FlowEvent.Kind.LIVE, f, Counters.ZERO, Counters.ZERO, List.of(),
                        0, 0, null, lastSeen, false));
                reference.accept(f);
            }
            List<FlowQuery> queries = List.of(all(), new FlowQuery("10.0.0." + step % 7, null, null, null, null, null, 100),
                    new FlowQuery(null, 440 + step % 4, null, null, null, null, 5), new FlowQuery(null, null, 17, null, null, null, 100),
                    new FlowQuery(null, null, null, "y" + step % 2, null, null, 100), new FlowQuery(null, null, null, null, "ENDED", null, 100),
                    new FlowQuery("10.0.1." + step % 5, null, null, null, null, null, 100), new FlowQuery(null, 40000 + step % 40, null, null, null, null, 100),
                    new FlowQuery("10.0.0." + step % 7, 440 + step % 4, 6, null, null, null, 100),
                    new FlowQuery("10.0.1." + step % 5, null, null, "y" + step % 2, null, null, 100));
            for (FlowQuery q : queries) {
                assertThat(store.query(q)).as("step %d, %s", step, q).isEqualTo(reference.query(q));
            }
            assertThat(store.size()).isEqualTo(reference.byId.size());
        }
        assertThat(registry.counter("fluxtap.aggregator.store.evictions", "cause", "capacity").count())
                .isEqualTo(reference.capacityEvictions).isPositive();
        assertThat(registry.counter("fluxtap.aggregator.store.evictions", "cause", "retention").count())
                .isEqualTo(reference.retentionEvictions).isPositive();
        assertThat(fed).isEqualTo(reference.emitted).isNotEmpty();
        for (int partition = 0; partition < 3; partition++) {
            store.removePartition(partition);
        }
        assertThat(store.size()).isZero();
        assertThat(store.indexedKeys()).as("index keys left after every flow went").isZero();
    }
}
