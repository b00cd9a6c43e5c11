package dev.fluxtap.aggregator.metrics;

import dev.fluxtap.aggregator.decode.AgentReport;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Heartbeats, received batches and sequence gaps per agent; the source of completeness. Heartbeats are global (every
 * instance reads the agents topic whole). Batch counters are kept per packets partition and dropped with it, like the
 * flows: the partition's next owner counts it again from the replayed retention, so summing the instances' counters
 * (their partials) counts every batch once.
 */
public final class AgentRegistry {

    private static final long STALE_MICROS = 30_000_000L;

    /** Batch counters of one agent, over some partitions or instances. */
    public record BatchCounts(long batches, long summaries, long lost, long duplicates, long lastBatchMicros) {
        public static final BatchCounts NONE = new BatchCounts(0, 0, 0, 0, 0);

        public BatchCounts plus(BatchCounts o) {
            return new BatchCounts(batches + o.batches, summaries + o.summaries, lost + o.lost, duplicates + o.duplicates,
                    Math.max(lastBatchMicros, o.lastBatchMicros));
        }
    }

    /** One agent's counters in one partition; written by the partition's one ingest worker, read by the API. */
    private static final class Counts {
        long batches, summaries, lost, duplicates, lastBatchMicros;

        synchronized BatchCounts snapshot() {
            return new BatchCounts(batches, summaries, lost, duplicates, lastBatchMicros);
        }
    }

    private final Clock clock;
    private final Map<Integer, Map<String, Counts>> byPartition = new ConcurrentHashMap<>();
    private final Map<String, AgentReport> reports = new ConcurrentHashMap<>();

    public AgentRegistry(Clock clock) {
        this.clock = clock;
    }

    private Counts counts(int partition, String agentId) {
        return byPartition.computeIfAbsent(partition, p -> new ConcurrentHashMap<>()).computeIfAbsent(agentId, a -> new Counts());
    }

    public void onBatch(int partition, String agentId, int summaries, long createdMicros) {
        Counts c = counts(partition, agentId);
        synchronized (c) {
            c.batches++;
            c.summaries += summaries;
            c.lastBatchMicros = Math.max(c.lastBatchMicros, createdMicros);
        }
    }

    public void onLostBatches(int partition, String agentId, long count) {
        Counts c = counts(partition, agentId);
        synchronized (c) {
            c.lost += count;
        }
    }

    public void onDuplicate(int partition, String agentId) {
        Counts c = counts(partition, agentId);
        synchronized (c) {
            c.duplicates++;
        }
    }

    /** The partition was assigned (its counting starts over with the replay) or revoked (its new owner counts it). */
    public void dropPartition(int partition) {
        byPartition.remove(partition);
    }

    public void onReport(AgentReport report) {
        reports.merge(report.agentId(), report, (old, r) -> old.tsMicros() <= r.tsMicros() || !old.bootId().equals(r.bootId()) ? r : old);
    }

    /** This instance's batch counters per agent, over the partitions it owns. */
    public Map<String, BatchCounts> batchCounts() {
        Map<String, BatchCounts> out = new HashMap<>();
        byPartition.values().forEach(agents -> agents.forEach((id, c) -> out.merge(id, c.snapshot(), BatchCounts::plus)));
        return out;
    }

    /** The agents with this instance's batch counters. */
    public List<AgentView> agents() {
        return agents(batchCounts());
    }

    /** The agents with the batch counters {@code counts} (this instance's, or the cluster's). */
    public List<AgentView> agents(Map<String, BatchCounts> counts) {
        TreeSet<String> ids = new TreeSet<>(counts.keySet());
        ids.addAll(reports.keySet());
        List<AgentView> out = new ArrayList<>(ids.size());
        long nowMicros = clock.millis() * 1000;
        for (String id : ids) {
            out.add(view(id, reports.get(id), counts.getOrDefault(id, BatchCounts.NONE), nowMicros));
        }
        out.sort(Comparator.comparing(AgentView::agentId));
        return out;
    }

    private static AgentView view(String agentId, AgentReport r, BatchCounts a, long nowMicros) {
        double meanBatch = a.batches() == 0 ? 0 : (double) a.summaries() / a.batches();
        double lostPackets = a.lost() * meanBatch;
        long kernelDrops = r == null ? 0 : r.kernelDrops();
        long queueDrops = r == null ? 0 : r.queueDrops();
        double seen = r == null ? a.summaries() + lostPackets : r.packetsCaptured() + kernelDrops;
        double completeness = seen <= 0 ? 1.0 : Math.max(0.0, Math.min(1.0, 1.0 - (kernelDrops + queueDrops + lostPackets) / seen));
        long last = Math.max(r == null ? 0 : r.tsMicros(), a.lastBatchMicros());
        String status = nowMicros - last <= STALE_MICROS ? "up" : "stale";
        return new AgentView(agentId, r == null ? null : r.bootId(), r == null ? null : r.hostId(), r == null ? null : r.version(),
                status, r == null ? null : r.tsMicros(), a.lastBatchMicros(), a.batches(), a.summaries(), a.lost(), a.duplicates(),
                r == null ? 0 : r.packetsCaptured(), kernelDrops, r == null ? 0 : r.interfaceDrops(), queueDrops,
                r == null ? 0 : r.batchesLost(), r == null ? 0 : r.sendFailures(), completeness,
                r == null ? List.of() : r.interfaces());
    }
}
