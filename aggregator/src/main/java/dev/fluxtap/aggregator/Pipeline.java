package dev.fluxtap.aggregator;

import dev.fluxtap.aggregator.cluster.LocalState;
import dev.fluxtap.aggregator.config.AggregatorConfig;
import dev.fluxtap.aggregator.decode.AgentReport;
import dev.fluxtap.aggregator.decode.SocketStats;
import dev.fluxtap.aggregator.decode.SummaryBatch;
import dev.fluxtap.aggregator.decode.TcpSnapshot;
import dev.fluxtap.aggregator.decode.TcpSnapshotAssembler;
import dev.fluxtap.aggregator.flow.FlowEvent;
import dev.fluxtap.aggregator.flow.FlowListener;
import dev.fluxtap.aggregator.flow.FlowTable;
import dev.fluxtap.aggregator.flow.FlowTableStats;
import dev.fluxtap.aggregator.flow.LivePacing;
import dev.fluxtap.aggregator.flow.SocketIndex;
import dev.fluxtap.aggregator.ingest.IngestHandler;
import dev.fluxtap.aggregator.metrics.AgentRegistry;
import dev.fluxtap.aggregator.metrics.TrafficMetrics;
import dev.fluxtap.aggregator.observe.AggregatorMeters;
import dev.fluxtap.aggregator.publish.FlowPublisher;
import dev.fluxtap.aggregator.store.FlowStore;
import dev.fluxtap.aggregator.topk.TopTalkers;
import io.micrometer.core.instrument.Counter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToLongFunction;

/**
 * The aggregation stages in data-flow order: decoded input to the flow table of its partition, flow events to the
 * store, top talkers, metrics and the flows topic. Flow tables, top talkers and traffic metrics are kept per packets
 * partition, so that the state of a partition that goes to another instance is dropped whole and a newly assigned one
 * is rebuilt from the log; the read side merges the partitions. Socket RTTs come from TCP stats, which every instance
 * reads whole, so they are kept apart from the partitions.
 */
final class Pipeline implements IngestHandler, LocalState {

    private final AggregatorConfig config;
    private final SocketIndex sockets;
    private final FlowStore store;
    private final TrafficMetrics socketMetrics;
    private final AgentRegistry agents;
    private final FlowPublisher publisher;
    private final Map<Integer, PartitionState> partitions = new ConcurrentHashMap<>();
    private final TcpSnapshotAssembler tcpParts = new TcpSnapshotAssembler();
    private final Counter batchesApplied;
    private final Counter summariesApplied;
    private volatile Map<String, Set<String>> localAddresses = Map.of();
    /** Live views at most every live-refresh at ticks; deltas split at the metric history's and top talkers' slots. */
    private final LivePacing livePacing;

    Pipeline(AggregatorConfig config, AggregatorMeters meters, FlowPublisher publisher, Clock clock) {
        this.config = config;
        this.publisher = publisher;
        this.sockets = new SocketIndex(config.store().maxSockets());
        this.store = new FlowStore(config.store(), meters);
        this.agents = new AgentRegistry(clock);
        this.livePacing = new LivePacing(LivePacing.commonSlot(config.store().historyStep(), TopTalkers.BUCKET),
                config.store().liveRefresh(), System::nanoTime);
        meters.gauge("fluxtap.aggregator.tcpstats.incomplete", "TCP stats polls dropped because one of their parts never arrived",
                tcpParts::incomplete);
        this.socketMetrics = newMetrics(() -> 0);
        this.batchesApplied = meters.batchesApplied();
        this.summariesApplied = meters.summariesApplied();
        meters.gauge("fluxtap.aggregator.flows.active", "Open flows in the flow tables", this::activeFlows);
        meters.gauge("fluxtap.aggregator.flows.late.dropped", "Late packets whose flow had already ended (dropped)",
                () -> sum(FlowTableStats::lateDropped));
        meters.gauge("fluxtap.aggregator.flows.live.views", "Live flow views published to the store, top talkers and metrics (paced by --live-refresh)",
                () -> sum(FlowTableStats::liveViews));
        meters.gauge("fluxtap.aggregator.flows.late.applied", "Late packets applied to a still open flow", () -> sum(FlowTableStats::lateApplied));
        meters.gauge("fluxtap.aggregator.flows.table.full.drops", "Packets of new flows dropped because a flow table was full",
                () -> sum(FlowTableStats::tableFullDrops));
        meters.gauge("fluxtap.aggregator.sockets.indexed", "TCP sockets in the join index", sockets::indexedSockets);
        meters.gauge("fluxtap.aggregator.sockets.rejected", "TCP sockets not indexed because the index was full", sockets::rejectedSockets);
    }

    /** The state derived from one packets partition. */
    private record PartitionState(FlowTable table, TopTalkers topTalkers, TrafficMetrics metrics) {
    }

    private PartitionState newState(int partition) {
        TopTalkers top = new TopTalkers(config.topk());
        FlowTable[] table = new FlowTable[1];
        TrafficMetrics m = newMetrics(() -> table[0].activeFlows());
        FlowListener listener = events -> {
            store.acceptAll(events); // the store's lock once per run of views, not per view (see acceptAll)
            for (FlowEvent e : events) {
                afterStored(top, m, e);
            }
        };
        table[0] = new FlowTable(partition, config.flows(), livePacing, sockets, listener);
        return new PartitionState(table[0], top, m);
    }

    /** Empty traffic metrics with this instance's settings. */
    TrafficMetrics newMetrics(java.util.function.IntSupplier active) {
        return new TrafficMetrics(config.store(), config.topk().maxHosts(), active, agent -> localAddresses.getOrDefault(agent, Set.of()));
    }

    private long sum(ToLongFunction<FlowTableStats> f) {
        return tables().stream().map(FlowTable::stats).mapToLong(f).sum();
    }

    @Override
    public int activeFlows() {
        return tables().stream().mapToInt(FlowTable::activeFlows).sum();
    }

    @Override
    public Set<Integer> partitions() {
        return Set.copyOf(partitions.keySet());
    }

    FlowStore store() {
        return store;
    }

    /** A merge of the partitions' top talkers and when it was made: reused for one live-refresh period. */
    private record MergedTalkers(TopTalkers talkers, long atNanos) {
    }

    private volatile MergedTalkers mergedTalkers;

    /**
     * Top talkers of the owned partitions. Merging copies every changed bucket of every partition, so the merge is shared
     * by the queries and the partial of one live-refresh period (the read side is that fresh anyway).
     */
    @Override
    public TopTalkers topTalkers() {
        MergedTalkers m = mergedTalkers;
        long now = System.nanoTime();
        if (m != null && now - m.atNanos() < config.store().liveRefresh().toNanos()) {
            return m.talkers();
        }
        List<TopTalkers> parts = partitions.values().stream().map(PartitionState::topTalkers).toList();
        // The previous merge lends the minutes that did not change since (see TopTalkers.merge).
        TopTalkers merged = parts.size() == 1 ? parts.get(0) : TopTalkers.merge(config.topk(), parts, m == null ? null : m.talkers());
        mergedTalkers = new MergedTalkers(merged, now);
        return merged;
    }

    @Override
    public TrafficMetrics metrics(boolean withSockets) {
        TrafficMetrics merged = newMetrics(this::activeFlows);
        List<TrafficMetrics> parts = new ArrayList<>(partitions.values().stream().map(PartitionState::metrics).toList());
        if (withSockets) {
            parts.add(socketMetrics);
        }
        for (TrafficMetrics m : parts) {
            m.export(Integer.MAX_VALUE).forEach(merged::add);
            Long t = m.eventTimeMicros();
            if (t != null) {
                merged.advanceTo(t);
            }
        }
        return merged;
    }

    @Override
    public Map<String, AgentRegistry.BatchCounts> agentBatches() {
        return agents.batchCounts();
    }

    @Override
    public TrafficMetrics socketMetrics() {
        return socketMetrics;
    }

    AgentRegistry agents() {
        return agents;
    }

    SocketIndex sockets() {
        return sockets;
    }

    Collection<FlowTable> tables() {
        return partitions.values().stream().map(PartitionState::table).toList();
    }

    /** Exports go to the flows topic, live views to the partition's top talkers and metrics. */
    private void afterStored(TopTalkers topTalkers, TrafficMetrics metrics, FlowEvent event) {
        if (event.exported()) {
            if (!event.replayed()) {
                publisher.publish(event);
            }
        } else {
            topTalkers.accept(event);
            metrics.accept(event);
        }
    }

    @Override
    public synchronized void onPartitionAssigned(int kafkaPartition) {
        mergedTalkers = null;
        partitions.put(kafkaPartition, newState(kafkaPartition));
        store.removePartition(kafkaPartition); // views left from an earlier ownership are rebuilt with the rest
        agents.dropPartition(kafkaPartition); // counted again with the replay
    }

    @Override
    public synchronized void onPartitionRevoked(int kafkaPartition) {
        mergedTalkers = null;
        partitions.remove(kafkaPartition);
        store.removePartition(kafkaPartition);
        agents.dropPartition(kafkaPartition);
    }

    @Override
    public void onPackets(int kafkaPartition, SummaryBatch batch, boolean replay) {
        partitions.computeIfAbsent(kafkaPartition, this::newState).table().apply(batch, replay);
        agents.onBatch(kafkaPartition, batch.agentId(), batch.size(), batch.createdMicros());
        batchesApplied.increment();
        summariesApplied.increment(batch.size());
    }

    @Override
    public void onTcpStats(TcpSnapshot part) {
        Optional<TcpSnapshot> whole = tcpParts.add(part);
        if (whole.isEmpty()) {
            return;
        }
        TcpSnapshot snapshot = whole.get();
        sockets.apply(snapshot);
        localAddresses = sockets.localAddressesByAgent();
        for (SocketStats s : snapshot.sockets()) {
            if (s.rttMicros() != null && s.rttMicros() > 0) {
                socketMetrics.socketRtt(snapshot.tsMicros(), s.rttMicros());
            }
        }
    }

    @Override
    public void onAgentStatus(AgentReport report) {
        agents.onReport(report);
    }

    @Override
    public void onLostBatches(int kafkaPartition, String agentId, long count) {
        agents.onLostBatches(kafkaPartition, agentId, count);
    }

    @Override
    public void onDuplicateBatch(int kafkaPartition, String agentId) {
        agents.onDuplicate(kafkaPartition, agentId);
    }

    /** Publishes the views of flows changed since the last tick (wall-clock refresher). */
    synchronized void refresh() {
        tables().forEach(FlowTable::refresh);
    }

    /** Wall-clock refresher: publishes the live views of tables that did not publish them since its previous call. */
    synchronized void refreshIdle() {
        tables().forEach(FlowTable::refreshIfIdle);
    }

    /**
     * START of the flows the applied records created, then waits for the exports. Not the live views: draining every
     * table at each commit repeated the per-flow store, top-talker and metrics work of the ticks (a fifth of it at 4
     * ticks a second) for no export.
     */
    @Override
    public void flushExports() {
        exportStarts();
        publisher.flush();
    }

    private synchronized void exportStarts() {
        tables().forEach(FlowTable::exportStarts);
    }
}
