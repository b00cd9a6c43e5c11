package dev.fluxtap.aggregator.store;

import dev.fluxtap.aggregator.config.StoreConfig;
import dev.fluxtap.aggregator.flow.Flow;
import dev.fluxtap.aggregator.flow.FlowEvent;
import dev.fluxtap.aggregator.observe.AggregatorMeters;
import io.micrometer.core.instrument.Counter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * The latest view of every flow of the retention window (event time), open or ended, indexed by IP, port, protocol
 * and agent. Bounded by {@code maxFlows}: the least recently updated flows go first. Every eviction is counted.
 */
public final class FlowStore {

    /** Views stored per taking of the write lock by {@link #acceptAll}: bounds how long a query waits behind a tick. */
    private static final int VIEWS_PER_LOCK = 256;

    private final long retentionMicros;
    private final int maxFlows;
    private final HashMap<String, Node> byId = new HashMap<>();
    /** Least and most recently updated views: {@link #byId}'s nodes form a list in update order, oldest first. */
    private Node head, tail;
    private final Postings<String> bySrcIp = new Postings<>(Node.SRC_IP);
    private final Postings<String> byDstIp = new Postings<>(Node.DST_IP);
    private final Postings<Integer> bySrcPort = new Postings<>(Node.SRC_PORT);
    private final Postings<Integer> byDstPort = new Postings<>(Node.DST_PORT);
    private final Postings<Integer> byProtocol = new Postings<>(Node.PROTOCOL);
    /** By agent: a flow gains agents as more observers see it, so these stay sets of ids. */
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
        static final int SRC_IP = 0, DST_IP = 1, SRC_PORT = 2, DST_PORT = 3, PROTOCOL = 4, INDEXES = 5;

        Flow flow;
        long lastSeenMicros;
        int observers;
        boolean ended;
        Node prev, next;
        /** Per index: the posting list this node is in (null when not in that index), and its neighbours there. */
        final Posting[] postings = new Posting[INDEXES];
        final Node[] neighbours = new Node[2 * INDEXES]; // previous at 2 * index, next at 2 * index + 1

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
        acceptAll(List.of(event));
    }

    /**
     * Stores the views of several events, taking the write lock once per {@link #VIEWS_PER_LOCK} of them: the flow tables
     * of several ingest threads write here, and each taking of the lock moved the store's shared lines (the heads of
     * popular index keys, the update-order tail) from one core's cache to the other's.
     */
    public void acceptAll(List<FlowEvent> events) {
        for (int from = 0; from < events.size(); from += VIEWS_PER_LOCK) {
            int to = Math.min(events.size(), from + VIEWS_PER_LOCK);
            lock.writeLock().lock();
            try {
                for (int i = from; i < to; i++) {
                    store(events.get(i).flow());
                }
            } finally {
                lock.writeLock().unlock();
            }
        }
    }

    /** Stores one view; under the write lock. */
    private void store(Flow flow) {
        Node node = byId.get(flow.flowId());
        if (node == null) {
            node = new Node(flow);
            byId.put(flow.flowId(), node);
            append(node);
            index(node);
        } else {
            unlink(node);
            append(node); // even for a late view below: the ended flow counts as just updated
            if (node.ended && !flow.ended()) {
                return; // a late view never reopens an ended flow
            }
            int observersBefore = node.observers;
            node.set(flow);
            if (node.observers != observersBefore) {
                indexByAgent(flow);
            }
        }
        clock = Math.max(clock, flow.lastSeenMicros());
        evict();
        // Under the write lock: emissions are serialised. Without a subscriber the item would be dropped anyway;
        // asking first spares the sink's emission guard (an atomic update per view).
        if (updates.currentSubscriberCount() > 0) {
            updates.tryEmitNext(flow);
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
            List<Flow> out = new ArrayList<>();
            Consumer<Node> collect = n -> {
                if (matches(n.flow, q)) {
                    out.add(n.flow);
                }
            };
            // The filter with the fewest flows gives the candidates; every filter is checked on each.
            int ipFlows = q.ip() == null ? Integer.MAX_VALUE : bySrcIp.size(q.ip()) + byDstIp.size(q.ip());
            int portFlows = q.port() == null ? Integer.MAX_VALUE : bySrcPort.size(q.port()) + byDstPort.size(q.port());
            int protocolFlows = q.protocol() == null ? Integer.MAX_VALUE : byProtocol.size(q.protocol());
            Set<String> agentIds = q.agent() == null ? null : byAgent.getOrDefault(q.agent(), Set.of());
            int agentFlows = agentIds == null ? Integer.MAX_VALUE : agentIds.size();
            int fewest = Math.min(Math.min(ipFlows, portFlows), Math.min(protocolFlows, agentFlows));
            if (fewest == Integer.MAX_VALUE) {
                for (Node n = head; n != null; n = n.next) {
                    collect.accept(n);
                }
            } else if (fewest == ipFlows) {
                bySrcIp.forEach(q.ip(), collect);
                byDstIp.forEach(q.ip(), collect);
            } else if (fewest == portFlows) {
                bySrcPort.forEach(q.port(), collect);
                byDstPort.forEach(q.port(), collect);
            } else if (fewest == protocolFlows) {
                byProtocol.forEach(q.protocol(), collect);
            } else {
                for (String id : agentIds) {
                    Node n = byId.get(id);
                    if (n != null) {
                        collect.accept(n);
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

    /** Keys held by the indexes, for tests: none once every flow has left. */
    int indexedKeys() {
        lock.readLock().lock();
        try {
            return bySrcIp.byKey.size() + byDstIp.byKey.size() + bySrcPort.byKey.size() + byDstPort.byKey.size() + byProtocol.byKey.size()
                    + byAgent.size();
        } finally {
            lock.readLock().unlock();
        }
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
        unindex(n);
    }

    /**
     * Indexes a new flow by the addresses, ports and protocol of its first view (they do not change; only which end is
     * the source may, and a query by address or port asks for either end). An end equal to the other is indexed once.
     */
    private void index(Node n) {
        Flow f = n.flow;
        bySrcIp.add(f.srcIp(), n);
        if (!f.dstIp().equals(f.srcIp())) {
            byDstIp.add(f.dstIp(), n);
        }
        bySrcPort.add(f.srcPort(), n);
        if (f.dstPort() != f.srcPort()) {
            byDstPort.add(f.dstPort(), n);
        }
        byProtocol.add(f.protocol(), n);
        indexByAgent(f);
    }

    /** Adds the flow's id under each of its agents (again when it gained one: the sets keep each id once). */
    private void indexByAgent(Flow f) {
        String id = f.flowId();
        f.agents().forEach(a -> byAgent.computeIfAbsent(a, k -> new LinkedHashSet<>()).add(id));
    }

    private void unindex(Node n) {
        bySrcIp.remove(n);
        byDstIp.remove(n);
        bySrcPort.remove(n);
        byDstPort.remove(n);
        byProtocol.remove(n);
        String id = n.flow.flowId();
        n.flow.agents().forEach(a -> {
            Set<String> set = byAgent.get(a);
            if (set != null) {
                set.remove(id);
                if (set.isEmpty()) {
                    byAgent.remove(a);
                }
            }
        });
    }

    /** The nodes with one key in one index: a list threaded through the nodes, and its length. */
    private static final class Posting {
        final Object key;
        Node head;
        int size;

        Posting(Object key) {
            this.key = key;
        }
    }

    /**
     * One index: adding or removing a flow is a few pointer writes (and a look-up of its key when added), where a set of
     * ids per key allocated an entry per flow and index, and a set per key (most ephemeral ports and many client
     * addresses have one flow).
     */
    private static final class Postings<K> {
        private final int index;
        private final Map<K, Posting> byKey = new HashMap<>();

        Postings(int index) {
            this.index = index;
        }

        void add(K key, Node n) {
            Posting p = byKey.computeIfAbsent(key, Posting::new);
            Node head = p.head;
            n.neighbours[2 * index] = null;
            n.neighbours[2 * index + 1] = head;
            if (head != null) {
                head.neighbours[2 * index] = n;
            }
            p.head = n;
            p.size++;
            n.postings[index] = p;
        }

        void remove(Node n) {
            Posting p = n.postings[index];
            if (p == null) {
                return;
            }
            Node before = n.neighbours[2 * index], after = n.neighbours[2 * index + 1];
            if (before == null) {
                p.head = after;
            } else {
                before.neighbours[2 * index + 1] = after;
            }
            if (after != null) {
                after.neighbours[2 * index] = before;
            }
            n.neighbours[2 * index] = null;
            n.neighbours[2 * index + 1] = null;
            n.postings[index] = null;
            if (--p.size == 0) {
                byKey.remove(p.key);
            }
        }

        /** How many flows have this key (0 for none). */
        int size(K key) {
            Posting p = byKey.get(key);
            return p == null ? 0 : p.size;
        }

        void forEach(K key, Consumer<Node> action) {
            Posting p = byKey.get(key);
            for (Node n = p == null ? null : p.head; n != null; n = n.neighbours[2 * index + 1]) {
                action.accept(n);
            }
        }
    }
}
