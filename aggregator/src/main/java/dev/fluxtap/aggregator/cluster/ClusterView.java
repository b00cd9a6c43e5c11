package dev.fluxtap.aggregator.cluster;

import dev.fluxtap.aggregator.config.ClusterConfig;
import dev.fluxtap.aggregator.metrics.AgentRegistry;
import dev.fluxtap.aggregator.metrics.TrafficMetrics;
import dev.fluxtap.aggregator.observe.AggregatorMeters;
import dev.fluxtap.aggregator.topk.Dimension;
import dev.fluxtap.aggregator.topk.TopTalkersResult;
import dev.fluxtap.schemas.avro.AggregatePartial;
import dev.fluxtap.schemas.avro.TalkerCount;
import io.micrometer.core.instrument.Counter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster as this instance sees it: the latest partial of every instance (its own included), from which global
 * top talkers and metrics are merged. A peer whose latest partial is older than the peer timeout, or that said goodbye
 * (a tombstone), is left out. When no peer is live the answers come from the local state directly, so a single
 * instance answers as fresh as before. Thread-safe.
 */
public final class ClusterView {

    private static final Logger log = LoggerFactory.getLogger(ClusterView.class);

    /** A live peer: its id, its API base URL and the packets partitions it owns. */
    public record Member(String instanceId, String apiUrl, List<Integer> partitions, long partialMicros) {
    }

    private record Received(AggregatePartial partial, long atMillis) {
    }

    private final String instanceId;
    private final LocalState local;
    private final Function<IntSupplier, TrafficMetrics> emptyMetrics;
    private final long peerTimeoutMillis;
    private final Clock clock;
    private final Map<String, Received> partials = new ConcurrentHashMap<>();
    private final Counter expired;

    /**
     * @param emptyMetrics a new, empty traffic metrics with this instance's settings and the given active-flows count,
     *                     to merge partials into
     */
    public ClusterView(String instanceId, LocalState local, Function<IntSupplier, TrafficMetrics> emptyMetrics, ClusterConfig config,
                       AggregatorMeters meters, Clock clock) {
        this.instanceId = instanceId;
        this.local = local;
        this.emptyMetrics = emptyMetrics;
        this.peerTimeoutMillis = config.peerTimeout().toMillis();
        this.clock = clock;
        this.expired = meters.peersExpired();
        meters.gauge("fluxtap.aggregator.cluster.peers", "Live peers (other instances with a recent partial)", () -> peers().size());
    }

    public String instanceId() {
        return instanceId;
    }

    /** The latest partial of an instance (this one's own or a peer's). */
    public void accept(AggregatePartial partial) {
        partials.put(partial.getInstanceId(), new Received(partial, clock.millis()));
    }

    /** A peer left (its tombstone on the aggregates topic). */
    public void remove(String peerId) {
        if (partials.remove(peerId) != null) {
            log.info("cluster: {} left", peerId);
        }
    }

    /** Drops peers that stopped publishing; counts each. */
    public void expire() {
        long oldest = clock.millis() - peerTimeoutMillis;
        partials.entrySet().removeIf(e -> {
            boolean stale = !e.getKey().equals(instanceId) && e.getValue().atMillis() < oldest;
            if (stale) {
                expired.increment();
                log.warn("cluster: peer {} sent no partial for {} ms; left out of global answers", e.getKey(), peerTimeoutMillis);
            }
            return stale;
        });
    }

    /**
     * The partials to merge: this instance's and every peer's within the timeout, except a partial that claims a packets
     * partition a newer partial also claims. That is an instance whose partitions moved on (it was killed, or is about
     * to publish without them): its whole partial would count the moved partitions twice, so it waits for its next one.
     */
    private List<AggregatePartial> live() {
        List<AggregatePartial> candidates = recent();
        Map<Integer, Long> newestClaim = new HashMap<>();
        for (AggregatePartial p : candidates) {
            p.getPartitions().forEach(partition -> newestClaim.merge(partition, p.getTsMicros(), Math::max));
        }
        List<AggregatePartial> out = new ArrayList<>(candidates.size());
        for (AggregatePartial p : candidates) {
            if (p.getPartitions().stream().allMatch(partition -> newestClaim.get(partition) == p.getTsMicros())) {
                out.add(p);
            }
        }
        return out;
    }

    /** This instance's partial and every peer's within the peer timeout. */
    private List<AggregatePartial> recent() {
        long oldest = clock.millis() - peerTimeoutMillis;
        List<AggregatePartial> out = new ArrayList<>();
        partials.forEach((id, r) -> {
            if (id.equals(instanceId) || r.atMillis() >= oldest) {
                out.add(r.partial());
            }
        });
        return out;
    }

    /**
     * The instances that published within the peer timeout, this one included, by id: the ones flow queries fan out to
     * (a peer whose partial is left out of the merge for a moment still owns flows).
     */
    public List<Member> members() {
        return recent().stream().map(p -> new Member(p.getInstanceId(), p.getApiUrl(), List.copyOf(p.getPartitions()), p.getTsMicros()))
                .sorted(Comparator.comparing(Member::instanceId)).toList();
    }

    /** The live instances other than this one. */
    public List<Member> peers() {
        return members().stream().filter(m -> !m.instanceId().equals(instanceId)).toList();
    }

    /** Batch counters per agent of this instance ({@code localOnly}) or of the whole cluster, merged like top talkers. */
    public Map<String, AgentRegistry.BatchCounts> agentBatches(boolean localOnly) {
        List<AggregatePartial> all = live();
        if (localOnly || all.stream().allMatch(p -> p.getInstanceId().equals(instanceId))) {
            return local.agentBatches();
        }
        Map<String, AgentRegistry.BatchCounts> out = new HashMap<>();
        for (AggregatePartial p : all) {
            Partials.agentBatches(p).forEach((id, c) -> out.merge(id, c, AgentRegistry.BatchCounts::plus));
        }
        return out;
    }

    /** Top talkers of this instance ({@code localOnly}) or of the whole cluster. */
    public TopTalkersResult topTalkers(Dimension d, String window, boolean bytes, int limit, boolean localOnly) {
        List<AggregatePartial> all = live();
        if (localOnly || all.stream().allMatch(p -> p.getInstanceId().equals(instanceId))) {
            return local.topTalkers().query(d, window, bytes, limit);
        }
        String metric = bytes ? "bytes" : "packets";
        Map<String, Long> sums = new HashMap<>();
        long total = 0, maxError = 0, windowEnd = 0;
        boolean exact = true;
        for (AggregatePartial p : all) {
            windowEnd = Math.max(windowEnd, p.getWindowEndMicros());
            for (dev.fluxtap.schemas.avro.TopTalkers t : p.getTopTalkers()) {
                if (t.getWindow().equals(window) && t.getDimension().equals(d.label()) && t.getMetric().equals(metric)) {
                    total += t.getTotal();
                    maxError += t.getMaxError();
                    exact &= t.getExact();
                    for (TalkerCount c : t.getEntries()) {
                        sums.merge(c.getKey(), c.getValue(), Long::sum);
                    }
                }
            }
        }
        List<TopTalkersResult.Entry> entries = new ArrayList<>();
        sums.forEach((k, v) -> entries.add(new TopTalkersResult.Entry(k, v)));
        entries.sort(Comparator.comparingLong(TopTalkersResult.Entry::value).reversed().thenComparing(TopTalkersResult.Entry::key));
        List<TopTalkersResult.Entry> top = entries.size() > limit ? List.copyOf(entries.subList(0, limit)) : entries;
        return new TopTalkersResult(d.label(), metric, window, windowEnd, total, exact, maxError, top);
    }

    /** Traffic metrics of this instance ({@code localOnly}) or of the whole cluster, to query. */
    public TrafficMetrics metrics(boolean localOnly) {
        List<AggregatePartial> all = live();
        if (localOnly || all.stream().allMatch(p -> p.getInstanceId().equals(instanceId))) {
            return local.metrics(true);
        }
        long active = all.stream().mapToLong(AggregatePartial::getFlowsActive).sum();
        TrafficMetrics merged = emptyMetrics.apply(() -> (int) Math.min(Integer.MAX_VALUE, active));
        for (AggregatePartial p : all) {
            Partials.slots(p).forEach(merged::add);
            if (p.getEventTimeMicros() > 0) {
                merged.advanceTo(p.getEventTimeMicros());
            }
        }
        TrafficMetrics sockets = local.socketMetrics(); // the same on every instance: added once
        sockets.export(0).forEach(merged::add);
        return merged;
    }
}
