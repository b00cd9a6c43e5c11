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
    private final HashMap<String, Node> byId = new HashMap<>();
    /** Least and most recently updated views: {@link #byId}'s nodes form a list in update order, oldest first. */
    private Node head, tail;
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

    /**
     * One stored view and its neighbours in update order. An update of a known flow is one hash look-up, then the node
     * moves to the tail: a LinkedHashMap kept in update order needed a remove and a put (two look-ups, a new entry).
     * It copies what updates and evictions read of the view, so they need not touch the stored (cold) view itself.
     */
    private static final class Node {
        Flow flow;
        long lastSeenMicros;
        int observers;
        boolean ended;
        Node prev, next;

        Node(Flow flow) {
            set(flow);
        }

        void set(Flow f) {
            flow = f;
            lastSeenMicros = f.lastSeenMicros();
            observers = f.observers().size();
            ended = f.ended();
        }
    }

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
            Node node = byId.get(flow.flowId());
            if (node == null) {
                node = new Node(flow);
                byId.put(flow.flowId(), node);
                append(node);
                index(flow);
            } else {
                unlink(node);
                append(node); // even for a late view below: the ended flow counts as just updated
                if (node.ended && !flow.ended()) {
                    return; // a late view never reopens an ended flow
                }
                int observersBefore = node.observers;
                node.set(flow);
                if (node.observers != observersBefore) {
                    flow.agents().forEach(a -> byAgent.computeIfAbsent(a, k -> new LinkedHashSet<>()).add(flow.flowId()));
                }
            }
            clock = Math.max(clock, flow.lastSeenMicros());
            evict();
            // Under the write lock: emissions are serialised. Without a subscriber the item would be dropped anyway;
            // asking first spares the sink's emission guard (an atomic update per view).
            if (updates.currentSubscriberCount() > 0) {
                updates.tryEmitNext(flow);
            }
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
            List<Flow> out = new ArrayList<>();
            if (candidates == null) {
                for (Node n = head; n != null; n = n.next) {
                    if (matches(n.flow, q)) {
                        out.add(n.flow);
                    }
                }
            } else {
                for (String id : candidates) {
                    Node n = byId.get(id);
                    if (n != null && matches(n.flow, q)) {
                        out.add(n.flow);
                    }
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
            for (Node n = head; n != null; ) {
                Node next = n.next;
                if (n.flow.partition() == partition) {
                    remove(n);
                }
                n = next;
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
        while (head != null) {
            boolean expired = head.lastSeenMicros < clock - retentionMicros;
            boolean full = byId.size() > maxFlows;
            if (!expired && !full) {
                return;
            }
            remove(head);
            (expired ? retentionEvictions : capacityEvictions).increment();
        }
    }

    private void append(Node n) {
        n.prev = tail;
        n.next = null;
        if (tail == null) {
            head = n;
        } else {
            tail.next = n;
        }
        tail = n;
    }

    private void unlink(Node n) {
        if (n.prev == null) {
            head = n.next;
        } else {
            n.prev.next = n.next;
        }
        if (n.next == null) {
            tail = n.prev;
        } else {
            n.next.prev = n.prev;
        }
        n.prev = null;
        n.next = null;
    }

    private void remove(Node n) {
        unlink(n);
        byId.remove(n.flow.flowId());
        unindex(n.flow);
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
