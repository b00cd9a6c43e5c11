package dev.fluxtap.aggregator.cluster;

import dev.fluxtap.aggregator.metrics.AgentRegistry;
import dev.fluxtap.aggregator.metrics.TrafficMetrics;
import dev.fluxtap.aggregator.topk.TopTalkers;
import java.util.Map;
import java.util.Set;

/** What this instance derived from the packets partitions it owns, as the cluster view and partials read it. */
public interface LocalState {

    /** Packets partitions this instance holds state for. */
    Set<Integer> partitions();

    /** Top talkers of the owned partitions, merged. */
    TopTalkers topTalkers();

    /** Traffic metrics of the owned partitions, merged; with the socket RTTs of TCP stats when {@code withSockets}. */
    TrafficMetrics metrics(boolean withSockets);

    /** Socket RTTs of TCP stats: every instance reads all of them, so a cluster answer adds them once, not per instance. */
    TrafficMetrics socketMetrics();

    int activeFlows();

    /** Batch counters per agent over the owned partitions. */
    Map<String, AgentRegistry.BatchCounts> agentBatches();
}
