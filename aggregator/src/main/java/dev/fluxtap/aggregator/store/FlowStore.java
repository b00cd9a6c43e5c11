package dev.fluxtap.aggregator.store;

import dev.fluxtap.aggregator.config.StoreConfig;
import dev.fluxtap.aggregator.flow.Flow;
import dev.fluxtap.aggregator.flow.FlowEvent;
import dev.fluxtap.aggregator.observe.AggregatorMeters;
import io.micrometer.core.instrument.Counter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * The latest view of every flow of the retention window (event time), open or ended, indexed by IP, port, protocol
 * and agent. Bounded by {@code maxFlows}: the least recently updated flows go first. Every eviction is counted.
 */
public final class FlowStore {

    private final long retentionMicros;
    private final int maxFlows;
    private final LinkedHashMap<String, Flow> byId = new LinkedHashMap<>();
    private final Map<String, Set<String>> byIp = new HashMap<>();
    private final Map<Integer, Set<String>> byPort = new HashMap<>();
    private final Map<Integer, Set<String>> byProtocol = new HashMap<>();
    private final Map<String, Set<String>> byAgent = new HashMap<>();
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Counter retentionEvictions;
    private final Counter capacityEvictions;
    /** Live feed of stored views; best effort: a subscriber without demand misses items, the writer never waits. */
    private final Sinks.Many<Flow> updates = Sinks.many().multicast().directBestEffort();
    private long clock = Long.MIN_VALUE;

    public FlowStore(StoreConfig config, AggregatorMeters meters) {
        this.retentionMicros = config.retention().toNanos() / 1000;
        this.maxFlows = config.maxFlows();
        this.retentionEvictions = meters.storeEvictions("retention");
        this.capacityEvictions = meters.storeEvictions("capacity");
        meters.gauge("fluxtap.aggregator.store.flows", "Flows held by the store (open and ended)", this::size);
    }

    public void accept(FlowEvent event) {
        Flow flow = event.flow();
        lock.writeLock().lock();
        try {
            Flow previous = byId.remove(flow.flowId());
            if (previous != null && previous.ended() && !flow.ended()) {
                byId.put(previous.flowId(), previous); // a late view never reopens an ended flow
                return;
            }
            byId.put(flow.flowId(), flow);
            if (previous == null) {
                index(flow);
            } else if (flow.observers().size() != previous.observers().size()) {
                flow.agents().forEach(a -> byAgent.computeIfAbsent(a, k -> new LinkedHashSet<>()).add(flow.flowId()));
            }
            clock = Math.max(clock, flow.lastSeenMicros());
            evict();
            updates.tryEmitNext(flow); // under the write lock: emissions are serialised
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Every new or changed flow view as it is stored. Subscribers must not block and should buffer (bounded) on their
     * own: an item arriving while a subscriber has no demand is dropped for that subscriber only.
     */
    public Flux<Flow> updates() {
        return updates.asFlux();
    }

    public List<Flow> query(FlowQuery q) {
        lock.readLock().lock();
        try {
            Collection<String> candidates = null;
            if (q.ip() != null) {
                candidates = smaller(candidates, byIp.getOrDefault(q.ip(), Set.of()));
            }
            if (q.port() != null) {
                candidates = smaller(candidates, byPort.getOrDefault(q.port(), Set.of()));
            }
            if (q.protocol() != null) {
                candidates = smaller(candidates, byProtocol.getOrDefault(q.protocol(), Set.of()));
            }
            if (q.agent() != null) {
                candidates = smaller(candidates, byAgent.getOrDefault(q.agent(), Set.of()));
            }
            Collection<Flow> pool = candidates == null ? byId.values() : candidates.stream().map(byId::get).toList();
            List<Flow> out = new ArrayList<>();
            for (Flow f : pool) {
                if (f != null && matches(f, q)) {
                    out.add(f);
                }
            }
            out.sort(Comparator.comparingLong(Flow::lastSeenMicros).reversed().thenComparing(Flow::flowId));
            return out.size() > q.limit() ? List.copyOf(out.subList(0, q.limit())) : out;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Drops the flows of a packets partition (it went to another instance, or is rebuilt from the log). */
    public void removePartition(int partition) {
        lock.writeLock().lock();
        try {
            Iterator<Flow> it = byId.values().iterator();
            while (it.hasNext()) {
                Flow f = it.next();
                if (f.partition() == partition) {
                    it.remove();
                    unindex(f);
                }
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    public int size() {
        lock.readLock().lock();
        try {
            return byId.size();
        } finally {
            lock.readLock().unlock();
        }
    }

    private static Collection<String> smaller(Collection<String> current, Set<String> other) {
        return current == null || other.size() < current.size() ? other : current;
    }

    /** True when the flow passes every filter of the query (the limit is not considered). */
    public static boolean matches(Flow f, FlowQuery q) {
        return (q.ip() == null || q.ip().equals(f.srcIp()) || q.ip().equals(f.dstIp()))
                && (q.port() == null || q.port() == f.srcPort() || q.port() == f.dstPort())
                && (q.protocol() == null || q.protocol() == f.protocol())
                && (q.agent() == null || f.agents().contains(q.agent()))
                && (q.state() == null || q.state().equals(f.tcpState()) || (q.state().equals("ACTIVE") && !f.ended())
                    || (q.state().equals("ENDED") && f.ended()))
                && (q.sinceMicros() == null || f.lastSeenMicros() >= q.sinceMicros());
    }

    private void evict() {
        Iterator<Flow> it = byId.values().iterator();
        while (it.hasNext()) {
            Flow head = it.next();
            boolean expired = head.lastSeenMicros() < clock - retentionMicros;
            boolean full = byId.size() > maxFlows;
            if (!expired && !full) {
                return;
            }
            it.remove();
            unindex(head);
            (expired ? retentionEvictions : capacityEvictions).increment();
        }
    }

    private void index(Flow f) {
        String id = f.flowId();
        byIp.computeIfAbsent(f.srcIp(), k -> new LinkedHashSet<>()).add(id);
        byIp.computeIfAbsent(f.dstIp(), k -> new LinkedHashSet<>()).add(id);
        byPort.computeIfAbsent(f.srcPort(), k -> new LinkedHashSet<>()).add(id);
        byPort.computeIfAbsent(f.dstPort(), k -> new LinkedHashSet<>()).add(id);
        byProtocol.computeIfAbsent(f.protocol(), k -> new LinkedHashSet<>()).add(id);
        f.agents().forEach(a -> byAgent.computeIfAbsent(a, k -> new LinkedHashSet<>()).add(id));
    }

    private void unindex(Flow f) {
        String id = f.flowId();
        remove(byIp, f.srcIp(), id);
        remove(byIp, f.dstIp(), id);
        remove(byPort, f.srcPort(), id);
        remove(byPort, f.dstPort(), id);
        remove(byProtocol, f.protocol(), id);
        f.agents().forEach(a -> remove(byAgent, a, id));
    }

    private static <K> void remove(Map<K, Set<String>> index, K key, String id) {
        Set<String> set = index.get(key);
        if (set != null) {
            set.remove(id);
            if (set.isEmpty()) {
                index.remove(key);
            }
        }
    }
}
