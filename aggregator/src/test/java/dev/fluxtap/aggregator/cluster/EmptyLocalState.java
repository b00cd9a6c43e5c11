package dev.fluxtap.aggregator.cluster;

import dev.fluxtap.aggregator.config.StoreConfig;
import dev.fluxtap.aggregator.config.TopKConfig;
import dev.fluxtap.aggregator.metrics.AgentRegistry;
import dev.fluxtap.aggregator.metrics.TrafficMetrics;
import dev.fluxtap.aggregator.topk.TopTalkers;
import java.util.Map;
import java.util.Set;

/** The local state of an instance that owns no partition and has seen nothing: the cluster tests' own instance. */
final class EmptyLocalState implements LocalState {
    @Override
    public Set<Integer> partitions() {
        return Set.of();
    }

    @Override
    public TopTalkers topTalkers() {
        return new TopTalkers(TopKConfig.defaults());
    }

    @Override
    public TrafficMetrics metrics(boolean withSockets) {
        return socketMetrics();
    }

    @Override
    public TrafficMetrics socketMetrics() {
        return new TrafficMetrics(StoreConfig.defaults(), 100, () -> 0, a -> Set.of());
    }

    @Override
    public int activeFlows() {
        return 0;
    }

    @Override
    public Map<String, AgentRegistry.BatchCounts> agentBatches() {
        return Map.of();
    }
}
