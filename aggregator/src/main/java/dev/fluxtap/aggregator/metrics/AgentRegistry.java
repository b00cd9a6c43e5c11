package dev.fluxtap.aggregator.metrics;

import dev.fluxtap.aggregator.decode.AgentReport;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Heartbeats, received batches and sequence gaps per agent; the source of completeness. */
public final class AgentRegistry {

    private static final long STALE_MICROS = 30_000_000L;

    private static final class Agent {
        final String agentId;
        AgentReport report;
        long batches, summaries, lost, duplicates, lastBatchMicros;

        Agent(String agentId) {
            this.agentId = agentId;
        }
    }

    private final Clock clock;
    private final Map<String, Agent> agents = new ConcurrentHashMap<>();

    public AgentRegistry(Clock clock) {
        this.clock = clock;
    }

    private Agent agent(String id) {
        return agents.computeIfAbsent(id, Agent::new);
    }

    public void onBatch(String agentId, int summaries, long createdMicros) {
        Agent a = agent(agentId);
        synchronized (a) {
            a.batches++;
            a.summaries += summaries;
            a.lastBatchMicros = Math.max(a.lastBatchMicros, createdMicros);
        }
    }

    public void onLostBatches(String agentId, long count) {
        Agent a = agent(agentId);
        synchronized (a) {
            a.lost += count;
        }
    }

    public void onDuplicate(String agentId) {
        Agent a = agent(agentId);
        synchronized (a) {
            a.duplicates++;
        }
    }

    public void onReport(AgentReport report) {
        Agent a = agent(report.agentId());
        synchronized (a) {
            if (a.report == null || a.report.tsMicros() <= report.tsMicros() || !a.report.bootId().equals(report.bootId())) {
                a.report = report;
            }
        }
    }

    public List<AgentView> agents() {
        List<AgentView> out = new ArrayList<>();
        for (Agent a : agents.values()) {
            out.add(view(a));
        }
        out.sort(Comparator.comparing(AgentView::agentId));
        return out;
    }

    private AgentView view(Agent a) {
        synchronized (a) {
            AgentReport r = a.report;
            long nowMicros = clock.millis() * 1000;
            double meanBatch = a.batches == 0 ? 0 : (double) a.summaries / a.batches;
            double lostPackets = a.lost * meanBatch;
            long kernelDrops = r == null ? 0 : r.kernelDrops();
            long queueDrops = r == null ? 0 : r.queueDrops();
            double seen = r == null ? a.summaries + lostPackets : r.packetsCaptured() + kernelDrops;
            double completeness = seen <= 0 ? 1.0 : Math.max(0.0, Math.min(1.0, 1.0 - (kernelDrops + queueDrops + lostPackets) / seen));
            long last = Math.max(r == null ? 0 : r.tsMicros(), a.lastBatchMicros);
            String status = nowMicros - last <= STALE_MICROS ? "up" : "stale";
            return new AgentView(a.agentId, r == null ? null : r.bootId(), r == null ? null : r.hostId(), r == null ? null : r.version(),
                    status, r == null ? null : r.tsMicros(), a.lastBatchMicros, a.batches, a.summaries, a.lost, a.duplicates,
                    r == null ? 0 : r.packetsCaptured(), kernelDrops, r == null ? 0 : r.interfaceDrops(), queueDrops,
                    r == null ? 0 : r.batchesLost(), r == null ? 0 : r.sendFailures(), completeness,
                    r == null ? List.of() : r.interfaces());
        }
    }
}
