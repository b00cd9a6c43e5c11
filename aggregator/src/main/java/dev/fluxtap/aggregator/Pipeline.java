package dev.fluxtap.aggregator;

import dev.fluxtap.aggregator.config.AggregatorConfig;
import dev.fluxtap.aggregator.decode.AgentReport;
import dev.fluxtap.aggregator.decode.SocketStats;
import dev.fluxtap.aggregator.decode.SummaryBatch;
import dev.fluxtap.aggregator.decode.TcpSnapshot;
import dev.fluxtap.aggregator.decode.TcpSnapshotAssembler;
import dev.fluxtap.aggregator.flow.FlowEvent;
import dev.fluxtap.aggregator.flow.FlowTable;
import dev.fluxtap.aggregator.flow.FlowTableStats;
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
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToLongFunction;

/**
 * The aggregation stages in data-flow order: decoded input to the flow table of its partition, flow events to the
 * store, top talkers, metrics and the flows topic.
 */
final class Pipeline implements IngestHandler {

    private final AggregatorConfig config;
    private final SocketIndex sockets;
    private final FlowStore store;
    private final TopTalkers topTalkers;
    private final TrafficMetrics metrics;
    private final AgentRegistry agents;
    private final FlowPublisher publisher;
    private final Map<Integer, FlowTable> tables = new ConcurrentHashMap<>();
    private final TcpSnapshotAssembler tcpParts = new TcpSnapshotAssembler();
    private final Counter batchesApplied;
    private final Counter summariesApplied;
    private volatile Map<String, Set<String>> localAddresses = Map.of();

    Pipeline(AggregatorConfig config, AggregatorMeters meters, FlowPublisher publisher, Clock clock) {
        this.config = config;
        this.publisher = publisher;
        this.sockets = new SocketIndex(config.store().maxSockets());
        this.store = new FlowStore(config.store(), meters);
        this.topTalkers = new TopTalkers(config.topk());
        this.agents = new AgentRegistry(clock);
        meters.gauge("fluxtap.aggregator.tcpstats.incomplete", "TCP stats polls dropped because one of their parts never arrived",
                tcpParts::incomplete);
        this.metrics = new TrafficMetrics(config.store(), config.topk().maxHosts(), this::activeFlows,
                agent -> localAddresses.getOrDefault(agent, Set.of()));
        this.batchesApplied = meters.batchesApplied();
        this.summariesApplied = meters.summariesApplied();
        meters.gauge("fluxtap.aggregator.flows.active", "Open flows in the flow tables", this::activeFlows);
        meters.gauge("fluxtap.aggregator.flows.late.dropped", "Late packets whose flow had already ended (dropped)",
                () -> sum(FlowTableStats::lateDropped));
        meters.gauge("fluxtap.aggregator.flows.late.applied", "Late packets applied to a still open flow", () -> sum(FlowTableStats::lateApplied));
        meters.gauge("fluxtap.aggregator.flows.table.full.drops", "Packets of new flows dropped because a flow table was full",
                () -> sum(FlowTableStats::tableFullDrops));
        meters.gauge("fluxtap.aggregator.sockets.indexed", "TCP sockets in the join index", sockets::indexedSockets);
        meters.gauge("fluxtap.aggregator.sockets.rejected", "TCP sockets not indexed because the index was full", sockets::rejectedSockets);
    }

    private long sum(ToLongFunction<FlowTableStats> f) {
        return tables.values().stream().map(FlowTable::stats).mapToLong(f).sum();
    }

    int activeFlows() {
        return tables.values().stream().mapToInt(FlowTable::activeFlows).sum();
    }

    FlowStore store() {
        return store;
    }

    TopTalkers topTalkers() {
        return topTalkers;
    }

    TrafficMetrics metrics() {
        return metrics;
    }

    AgentRegistry agents() {
        return agents;
    }

    SocketIndex sockets() {
        return sockets;
    }

    Collection<FlowTable> tables() {
        return tables.values();
    }

    private void onFlowEvent(FlowEvent event) {
        store.accept(event);
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
    public void onPackets(int kafkaPartition, SummaryBatch batch, boolean replay) {
        tables.computeIfAbsent(kafkaPartition, p -> new FlowTable(p, config.flows(), sockets, this::onFlowEvent)).apply(batch, replay);
        agents.onBatch(batch.agentId(), batch.size(), batch.createdMicros());
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
                metrics.socketRtt(snapshot.tsMicros(), s.rttMicros());
            }
        }
    }

    @Override
    public void onAgentStatus(AgentReport report) {
        agents.onReport(report);
    }

    @Override
    public void onLostBatches(String agentId, long count) {
        agents.onLostBatches(agentId, count);
    }

    @Override
    public void onDuplicateBatch(String agentId) {
        agents.onDuplicate(agentId);
    }

    /** Publishes the views of flows changed since the last tick (wall-clock refresher). */
    void refresh() {
        tables.values().forEach(FlowTable::refresh);
    }

    @Override
    public void beforeFinalCommit() {
        refresh();
        publisher.flush();
    }
}
