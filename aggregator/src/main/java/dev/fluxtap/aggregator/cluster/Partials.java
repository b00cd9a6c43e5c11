package dev.fluxtap.aggregator.cluster;

import dev.fluxtap.aggregator.metrics.AgentRegistry;
import dev.fluxtap.aggregator.metrics.TrafficMetrics;
import dev.fluxtap.aggregator.topk.Dimension;
import dev.fluxtap.aggregator.topk.TopTalkers;
import dev.fluxtap.aggregator.topk.TopTalkersResult;
import dev.fluxtap.schemas.avro.AgentBatches;
import dev.fluxtap.schemas.avro.AgentCounters;
import dev.fluxtap.schemas.avro.AggregatePartial;
import dev.fluxtap.schemas.avro.HostCounters;
import dev.fluxtap.schemas.avro.MetricSlot;
import dev.fluxtap.schemas.avro.TalkerCount;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds this instance's {@link AggregatePartial} and reads peers' ones back into mergeable parts. A partial is bounded:
 * the top {@code topN} talkers per window, dimension and metric (a key beyond them is under-counted by at most the
 * N-th value, which the partial adds to maxError), and metric slots with RTT sketches until a byte budget is spent.
 */
public final class Partials {

    /** Serialised RTT sketches per partial at most (the rest of the slots go without one); keeps records far below 1 MiB. */
    static final int RTT_SKETCH_BUDGET = 256 * 1024;
    /** Busiest hosts per slot in a partial. */
    static final int HOSTS_PER_SLOT = 100;

    private Partials() {
    }

    /** @param groupId the instance's consumer group, which names its cluster (readers ignore other groups' partials) */
    public static AggregatePartial build(LocalState state, String groupId, String instanceId, String apiUrl, int topN, long nowMicros) {
        TopTalkers top = state.topTalkers();
        List<dev.fluxtap.schemas.avro.TopTalkers> talkers = new ArrayList<>();
        long windowEnd = 0;
        for (String window : TopTalkers.WINDOWS) {
            for (Dimension d : Dimension.values()) {
                for (boolean bytes : new boolean[] {true, false}) {
                    TopTalkersResult r = top.query(d, window, bytes, topN + 1);
                    windowEnd = Math.max(windowEnd, r.windowEndMicros());
                    List<TopTalkersResult.Entry> entries = r.entries();
                    boolean truncated = entries.size() > topN;
                    long cut = truncated ? entries.get(topN).value() : 0; // a key not listed has at most this much
                    List<TalkerCount> counts = new ArrayList<>(Math.min(entries.size(), topN));
                    for (int i = 0; i < entries.size() && i < topN; i++) {
                        counts.add(new TalkerCount(entries.get(i).key(), entries.get(i).value()));
                    }
                    talkers.add(dev.fluxtap.schemas.avro.TopTalkers.newBuilder().setWindow(window).setDimension(d.label())
                            .setMetric(r.metric()).setTotal(r.total()).setExact(r.exact() && !truncated).setMaxError(r.maxError() + cut)
                            .setEntries(counts).setSketch(null).build());
                }
            }
        }
        TrafficMetrics metrics = state.metrics(false);
        List<MetricSlot> slots = new ArrayList<>();
        int sketchBytes = 0;
        long packets = 0, bytes = 0, segments = 0, retransmits = 0;
        Map<String, Long> protocols = new HashMap<>();
        Long eventTime = metrics.eventTimeMicros();
        for (TrafficMetrics.SlotData s : metrics.export(HOSTS_PER_SLOT)) { // newest first: the budget favours recent slots
            byte[] rtt = s.rtt();
            if (rtt != null && sketchBytes + rtt.length > RTT_SKETCH_BUDGET) {
                rtt = null;
            }
            sketchBytes += rtt == null ? 0 : rtt.length;
            slots.add(toAvro(s, rtt));
            if (eventTime != null && s.startMicros() > eventTime - 60_000_000L) {
                packets += s.packets();
                bytes += s.bytes();
                segments += s.segments();
                retransmits += s.retransmits();
                s.protocolBytes().forEach((p, b) -> protocols.merge(Integer.toString(p), b, Long::sum));
            }
        }
        return AggregatePartial.newBuilder().setInstanceId(instanceId).setPartitions(state.partitions().stream().sorted().toList())
                .setWindow("60m").setWindowEndMicros(windowEnd).setTsMicros(nowMicros).setTopTalkers(talkers)
                .setPackets(packets).setIpBytes(bytes).setFlowsActive(state.activeFlows()).setProtocolBytes(new HashMap<>(protocols))
                .setRttSketch(null).setTcpSegments(segments).setTcpRetransmits(retransmits)
                .setApiUrl(apiUrl).setEventTimeMicros(eventTime == null ? 0 : eventTime).setSlots(slots).setAgentBatches(agentBatches(state))
                .setGroupId(groupId).build();
    }

    private static List<AgentBatches> agentBatches(LocalState state) {
        List<AgentBatches> out = new ArrayList<>();
        state.agentBatches().forEach((id, c) -> out.add(new AgentBatches(id, c.batches(), c.summaries(), c.lost(), c.duplicates(),
                c.lastBatchMicros())));
        return out;
    }

    private static MetricSlot toAvro(TrafficMetrics.SlotData s, byte[] rtt) {
        Map<String, Long> protocols = new HashMap<>();
        s.protocolBytes().forEach((p, b) -> protocols.put(Integer.toString(p), b));
        List<HostCounters> hosts = new ArrayList<>(s.hosts().size());
        s.hosts().forEach((ip, c) -> hosts.add(new HostCounters(ip, c[0], c[1], c[2], c[3])));
        List<AgentCounters> agents = new ArrayList<>(s.agents().size());
        s.agents().forEach((id, c) -> agents.add(new AgentCounters(id, c[0], c[1], c[2], c[3], c[4])));
        return MetricSlot.newBuilder().setStartMicros(s.startMicros()).setPackets(s.packets()).setIpBytes(s.bytes())
                .setTcpSegments(s.segments()).setTcpRetransmits(s.retransmits()).setFlowsActive(s.activeFlows())
                .setProtocolBytes(protocols).setHosts(hosts).setHostsNotTrackedBytes(s.hostsOverflow()).setAgents(agents)
                .setRttSketch(rtt == null ? null : ByteBuffer.wrap(rtt)).build();
    }

    /** The batch counters per agent of a partial. */
    static Map<String, AgentRegistry.BatchCounts> agentBatches(AggregatePartial p) {
        Map<String, AgentRegistry.BatchCounts> out = new HashMap<>();
        for (AgentBatches a : p.getAgentBatches()) {
            out.merge(a.getAgentId(), new AgentRegistry.BatchCounts(a.getBatches(), a.getSummaries(), a.getLostBatches(),
                    a.getDuplicateBatches(), a.getLastBatchMicros()), AgentRegistry.BatchCounts::plus);
        }
        return out;
    }

    /** The metric slots of a partial, ready for {@link TrafficMetrics#add}. */
    static List<TrafficMetrics.SlotData> slots(AggregatePartial p) {
        List<TrafficMetrics.SlotData> out = new ArrayList<>(p.getSlots().size());
        for (MetricSlot s : p.getSlots()) {
            Map<Integer, Long> protocols = new HashMap<>();
            s.getProtocolBytes().forEach((k, v) -> protocols.put(Integer.parseInt(k.toString()), v));
            Map<String, long[]> hosts = new HashMap<>();
            s.getHosts().forEach(h -> hosts.put(h.getIp().toString(), new long[] {h.getInBytes(), h.getOutBytes(), h.getInPackets(), h.getOutPackets()}));
            Map<String, long[]> agents = new HashMap<>();
            s.getAgents().forEach(a -> agents.put(a.getAgentId().toString(),
                    new long[] {a.getInBytes(), a.getOutBytes(), a.getInPackets(), a.getOutPackets(), a.getObservedBytes()}));
            byte[] rtt = null;
            if (s.getRttSketch() != null) {
                ByteBuffer b = s.getRttSketch().duplicate();
                rtt = new byte[b.remaining()];
                b.get(rtt);
            }
            out.add(new TrafficMetrics.SlotData(s.getStartMicros(), s.getPackets(), s.getIpBytes(), s.getTcpSegments(), s.getTcpRetransmits(),
                    s.getFlowsActive(), protocols, hosts, s.getHostsNotTrackedBytes(), agents, rtt));
        }
        return out;
    }
}
