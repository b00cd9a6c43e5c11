package dev.fluxtap.aggregator.metrics;

import dev.fluxtap.aggregator.config.StoreConfig;
import dev.fluxtap.aggregator.flow.Flow;
import dev.fluxtap.aggregator.flow.FlowEvent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.IntSupplier;
import org.apache.datasketches.kll.KllDoublesSketch;

/**
 * Traffic metrics in event time, in slots of {@code historyStep} kept for the retention window: packets, bytes,
 * bytes per protocol, TCP payload segments and estimated retransmits, RTT samples (KLL sketch, mergeable), active
 * flows, and per-host and per-agent in/out counters. Rates are averaged over the last minute of event time.
 */
public final class TrafficMetrics {

    /** Series the history endpoint serves. */
    public static final List<String> SERIES = List.of("bps", "pps", "activeFlows", "retransmitRate", "rttP50", "rttP99");

    private static final long RATE_WINDOW_MICROS = 60_000_000L;

    private static final class Slot {
        final long start;
        long packets, bytes, segments, retransmits, activeFlows;
        /** Bytes per IP protocol seen, as pairs in two arrays: a slot sees a few protocols, a scan beats boxed map keys. */
        int[] protocols = new int[4];
        long[] protocolBytes = new long[4];
        int protocolCount;
        /** Per-host and per-agent counters: only read while the slot is in the rate window, released after it. */
        Map<String, long[]> hosts = new HashMap<>();
        Map<String, long[]> agents = new HashMap<>();
        long hostsOverflow;
        KllDoublesSketch rtt;

        Slot(long start) {
            this.start = start;
        }

        void addProtocolBytes(int protocol, long bytes) {
            for (int i = 0; i < protocolCount; i++) {
                if (protocols[i] == protocol) {
                    protocolBytes[i] += bytes;
                    return;
                }
            }
            if (protocolCount == protocols.length) {
                protocols = Arrays.copyOf(protocols, protocolCount * 2);
                protocolBytes = Arrays.copyOf(protocolBytes, protocolCount * 2);
            }
            protocols[protocolCount] = protocol;
            protocolBytes[protocolCount++] = bytes;
        }

        Map<Integer, Long> protocolMap() {
            Map<Integer, Long> out = new HashMap<>();
            for (int i = 0; i < protocolCount; i++) {
                out.put(protocols[i], protocolBytes[i]);
            }
            return out;
        }
    }

    private final long stepMicros;
    private final int maxHosts;
    private final Slot[] ring;
    private final IntSupplier activeFlows;
    private final Function<String, Set<String>> localAddresses;
    private long clock = Long.MIN_VALUE;
    /** The slot {@link #slot} found last; still in the ring, since only that method replaces ring entries and sets it. */
    private Slot lastSlot;

    /**
     * @param localAddresses the addresses of an agent's host (from its TCP stats), to split its traffic into in and out
     */
    public TrafficMetrics(StoreConfig config, int maxHosts, IntSupplier activeFlows, Function<String, Set<String>> localAddresses) {
        this.stepMicros = config.historyStep().toNanos() / 1000;
        this.maxHosts = maxHosts;
        this.ring = new Slot[(int) (config.retention().toNanos() / config.historyStep().toNanos())];
        this.activeFlows = activeFlows;
        this.localAddresses = localAddresses;
    }

    public long stepMicros() {
        return stepMicros;
    }

    private Slot slot(long ts) {
        Slot last = lastSlot;
        if (last != null && ts >= last.start && ts - last.start < stepMicros) {
            return last; // most views of a tick fall into one slot: no divisions
        }
        long start = ts - Math.floorMod(ts, stepMicros);
        int i = Math.floorMod(start / stepMicros, ring.length);
        Slot s = ring[i];
        if (s == null || s.start < start) {
            s = new Slot(start);
            ring[i] = s;
            releasePerHostCounters();
        } else if (s.start > start) {
            return null; // older than the retention
        }
        lastSlot = s;
        return s;
    }

    /**
     * Releases the per-host and per-agent counters of the slots that left the rate window: nothing reads them again (the
     * summary and the export take them from the last minute only), and kept for the whole retention they grew with the
     * number of hosts times the history's slots (up to --max-hosts in each of 360 slots per partition at the defaults).
     */
    private void releasePerHostCounters() {
        for (Slot s : ring) {
            if (s != null && !inRateWindow(s) && (!s.hosts.isEmpty() || !s.agents.isEmpty())) {
                s.hosts = Map.of();
                s.agents = Map.of();
            }
        }
    }

    /** True while {@code s} is in the rate window (the last minute of event time), whose per-host counters are kept. */
    private boolean inRateWindow(Slot s) {
        return s.start > clock - RATE_WINDOW_MICROS;
    }

    /** Host entries held over all slots (see {@link #releasePerHostCounters}). */
    synchronized int trackedHosts() {
        int n = 0;
        for (Slot s : ring) {
            n += s == null ? 0 : s.hosts.size();
        }
        return n;
    }

    public synchronized void accept(FlowEvent event) {
        if (event.kind() != FlowEvent.Kind.LIVE) {
            return;
        }
        Flow f = event.flow();
        clock = Math.max(clock, f.lastSeenMicros());
        Slot s = slot(f.lastSeenMicros());
        if (s == null) {
            return;
        }
        long fb = event.fwdDelta().ipBytes(), rb = event.revDelta().ipBytes();
        long fp = event.fwdDelta().packets(), rp = event.revDelta().packets();
        s.packets += fp + rp;
        s.bytes += fb + rb;
        s.addProtocolBytes(f.protocol(), fb + rb);
        s.segments += event.segmentsDelta();
        s.retransmits += event.retransmitsDelta();
        s.activeFlows = activeFlows.getAsInt();
        if (event.newHandshakeRttMicros() != null) {
            rtt(s).update(event.newHandshakeRttMicros());
        }
        if (!inRateWindow(s)) {
            return; // a late view: its slot's totals count, its per-host and per-agent counters are no longer kept
        }
        // src sends fwd and receives rev; dst the other way round. {inBytes, outBytes, inPackets, outPackets}
        host(s, f.srcIp(), rb, fb, rp, fp);
        host(s, f.dstIp(), fb, rb, fp, rp);
        for (FlowEvent.AgentDelta d : event.agentDeltas()) {
            Set<String> local = localAddresses.apply(d.agentId());
            long[] c = s.agents.computeIfAbsent(d.agentId(), k -> new long[5]);
            boolean srcLocal = local.contains(f.srcIp()), dstLocal = local.contains(f.dstIp());
            if (srcLocal || dstLocal) {
                // traffic leaving a local address is out, arriving is in
                c[0] += (srcLocal ? 0 : d.fwdBytes()) + (dstLocal ? 0 : d.revBytes());
                c[1] += (srcLocal ? d.fwdBytes() : 0) + (dstLocal ? d.revBytes() : 0);
                c[2] += (srcLocal ? 0 : d.fwdPackets()) + (dstLocal ? 0 : d.revPackets());
                c[3] += (srcLocal ? d.fwdPackets() : 0) + (dstLocal ? d.revPackets() : 0);
            }
            c[4] += d.fwdBytes() + d.revBytes();
        }
    }

    /** A socket RTT from TCP stats (microseconds) at event time {@code tsMicros}. */
    public synchronized void socketRtt(long tsMicros, long rttMicros) {
        Slot s = slot(tsMicros);
        if (s != null) {
            rtt(s).update(rttMicros);
        }
    }

    private static KllDoublesSketch rtt(Slot s) {
        if (s.rtt == null) {
            s.rtt = KllDoublesSketch.newHeapInstance(200);
        }
        return s.rtt;
    }

    private void host(Slot s, String ip, long inBytes, long outBytes, long inPackets, long outPackets) {
        long[] c = s.hosts.get(ip);
        if (c == null) {
            if (s.hosts.size() >= maxHosts) {
                s.hostsOverflow += inBytes + outBytes;
                return;
            }
            c = new long[4];
            s.hosts.put(ip, c);
        }
        c[0] += inBytes;
        c[1] += outBytes;
        c[2] += inPackets;
        c[3] += outPackets;
    }

    private List<Slot> lastMinute() {
        List<Slot> out = new ArrayList<>();
        for (Slot s : ring) {
            if (s != null && s.start > clock - RATE_WINDOW_MICROS && s.start <= clock) {
                out.add(s);
            }
        }
        return out;
    }

    /** Rates per host over the last minute, busiest first. */
    public record HostRate(String ip, double inBps, double outBps, double inPps, double outPps) {
    }

    public record AgentRate(String agentId, double inBps, double outBps, double inPps, double outPps, double observedBps) {
    }

    public record ProtocolShare(int protocol, long bytes, double share) {
    }

    public record Quantiles(Double p50, Double p90, Double p99, long samples) {
    }

    public record Summary(Long eventTimeMicros, long windowSeconds, double bps, double pps, List<ProtocolShare> protocols,
                          Quantiles rttMicros, long tcpSegments, long tcpRetransmits, double retransmitRate, int activeFlows,
                          List<HostRate> hosts, long hostsNotTracked, List<AgentRate> agents) {
    }

    public synchronized Summary summary(int hostLimit) {
        List<Slot> slots = lastMinute();
        double seconds = RATE_WINDOW_MICROS / 1e6;
        long packets = 0, bytes = 0, segments = 0, retransmits = 0, overflow = 0;
        Map<Integer, Long> protocols = new TreeMap<>();
        Map<String, long[]> hosts = new HashMap<>();
        Map<String, long[]> agents = new TreeMap<>();
        KllDoublesSketch rtt = KllDoublesSketch.newHeapInstance(200);
        for (Slot s : slots) {
            packets += s.packets;
            bytes += s.bytes;
            segments += s.segments;
            retransmits += s.retransmits;
            overflow += s.hostsOverflow;
            for (int i = 0; i < s.protocolCount; i++) {
                protocols.merge(s.protocols[i], s.protocolBytes[i], Long::sum);
            }
            s.hosts.forEach((ip, c) -> add(hosts.computeIfAbsent(ip, k -> new long[4]), c));
            s.agents.forEach((id, c) -> add(agents.computeIfAbsent(id, k -> new long[5]), c));
            if (s.rtt != null) {
                rtt.merge(s.rtt);
            }
        }
        long totalBytes = bytes;
        List<ProtocolShare> shares = protocols.entrySet().stream()
                .map(e -> new ProtocolShare(e.getKey(), e.getValue(), totalBytes == 0 ? 0 : (double) e.getValue() / totalBytes)).toList();
        List<HostRate> hostRates = hosts.entrySet().stream()
                .map(e -> new HostRate(e.getKey(), e.getValue()[0] * 8 / seconds, e.getValue()[1] * 8 / seconds,
                        e.getValue()[2] / seconds, e.getValue()[3] / seconds))
                .sorted(Comparator.comparingDouble((HostRate h) -> h.inBps() + h.outBps()).reversed().thenComparing(HostRate::ip))
                .limit(hostLimit).toList();
        List<AgentRate> agentRates = agents.entrySet().stream()
                .map(e -> new AgentRate(e.getKey(), e.getValue()[0] * 8 / seconds, e.getValue()[1] * 8 / seconds,
                        e.getValue()[2] / seconds, e.getValue()[3] / seconds, e.getValue()[4] * 8 / seconds)).toList();
        return new Summary(clock == Long.MIN_VALUE ? null : clock, (long) seconds, bytes * 8 / seconds, packets / seconds, shares,
                quantiles(rtt), segments, retransmits, segments == 0 ? 0 : (double) retransmits / segments, activeFlows.getAsInt(),
                hostRates, overflow, agentRates);
    }

    private static void add(long[] into, long[] from) {
        for (int i = 0; i < into.length; i++) {
            into[i] += from[i];
        }
    }

    private static Quantiles quantiles(KllDoublesSketch s) {
        if (s.isEmpty()) {
            return new Quantiles(null, null, null, 0);
        }
        return new Quantiles(s.getQuantile(0.5), s.getQuantile(0.9), s.getQuantile(0.99), s.getN());
    }

    /**
     * One history slot as plain data, to merge the metrics of several partitions or instances: {@code hosts} values are
     * {in bytes, out bytes, in packets, out packets}, {@code agents} values {in bytes, out bytes, in packets, out packets,
     * observed bytes}; {@code rtt} is a serialised KLL sketch or null.
     */
    public record SlotData(long startMicros, long packets, long bytes, long segments, long retransmits, long activeFlows,
                           Map<Integer, Long> protocolBytes, Map<String, long[]> hosts, long hostsOverflow, Map<String, long[]> agents,
                           byte[] rtt) {
    }

    /**
     * The slots holding data, newest first. Per-host and per-agent counters only for the rate window (the last minute,
     * the summary's), per-host ones limited to the {@code hostLimit} busiest per slot (the rest count as not tracked).
     */
    public synchronized List<SlotData> export(int hostLimit) {
        List<SlotData> out = new ArrayList<>();
        for (Slot s : ring) {
            if (s == null) {
                continue;
            }
            boolean recent = s.start > clock - RATE_WINDOW_MICROS && s.start <= clock;
            Map<String, long[]> hosts = new HashMap<>();
            long overflow = s.hostsOverflow;
            Map<String, long[]> agents = new HashMap<>();
            if (recent) {
                List<Map.Entry<String, long[]>> busiest = new ArrayList<>(s.hosts.entrySet());
                busiest.sort(Comparator.comparingLong((Map.Entry<String, long[]> e) -> -(e.getValue()[0] + e.getValue()[1])));
                for (int i = 0; i < busiest.size(); i++) {
                    long[] c = busiest.get(i).getValue();
                    if (i < hostLimit) {
                        hosts.put(busiest.get(i).getKey(), c.clone());
                    } else {
                        overflow += c[0] + c[1];
                    }
                }
                s.agents.forEach((k, v) -> agents.put(k, v.clone()));
            }
            out.add(new SlotData(s.start, s.packets, s.bytes, s.segments, s.retransmits, s.activeFlows, Map.copyOf(s.protocolMap()), hosts,
                    overflow, agents, s.rtt == null ? null : s.rtt.toByteArray()));
        }
        out.sort(Comparator.comparingLong(SlotData::startMicros).reversed());
        return out;
    }

    /** Adds a slot of another partition or instance to this one (sums; RTT sketches merge; active flows add up). */
    public synchronized void add(SlotData d) {
        clock = Math.max(clock, d.startMicros());
        Slot s = slot(d.startMicros());
        if (s == null) {
            return;
        }
        s.packets += d.packets();
        s.bytes += d.bytes();
        s.segments += d.segments();
        s.retransmits += d.retransmits();
        s.activeFlows += d.activeFlows();
        d.protocolBytes().forEach(s::addProtocolBytes);
        if (inRateWindow(s)) {
            s.hostsOverflow += d.hostsOverflow();
            d.hosts().forEach((ip, c) -> host(s, ip, c[0], c[1], c[2], c[3]));
            d.agents().forEach((id, c) -> add(s.agents.computeIfAbsent(id, k -> new long[5]), c));
        }
        if (d.rtt() != null) {
            rtt(s).merge(KllDoublesSketch.heapify(org.apache.datasketches.memory.Memory.wrap(d.rtt())));
        }
    }

    /** The newest event time seen, or null. */
    public synchronized Long eventTimeMicros() {
        return clock == Long.MIN_VALUE ? null : clock;
    }

    /** Advances the event time (of a merged view) to at least {@code micros}. */
    public synchronized void advanceTo(long micros) {
        clock = Math.max(clock, micros);
    }

    public record Point(long tsMicros, Double value) {
    }

    /**
     * The series over the window ending at the newest event time, one point per {@code step} (a multiple of the
     * history step). Rates are per second over each step.
     */
    public synchronized List<Point> history(String series, long windowMicros, long step) {
        List<Point> out = new ArrayList<>();
        if (clock == Long.MIN_VALUE) {
            return out;
        }
        long end = clock - Math.floorMod(clock, step) + step;
        for (long start = end - windowMicros; start < end; start += step) {
            long packets = 0, bytes = 0, segments = 0, retransmits = 0, active = -1;
            KllDoublesSketch rtt = null;
            for (long t = start; t < start + step; t += stepMicros) {
                Slot s = ring[Math.floorMod(t / stepMicros, ring.length)];
                if (s == null || s.start != t) {
                    continue;
                }
                packets += s.packets;
                bytes += s.bytes;
                segments += s.segments;
                retransmits += s.retransmits;
                active = Math.max(active, s.activeFlows);
                if (s.rtt != null) {
                    if (rtt == null) {
                        rtt = KllDoublesSketch.newHeapInstance(200);
                    }
                    rtt.merge(s.rtt);
                }
            }
            double seconds = step / 1e6;
            Double value = switch (series) {
                case "bps" -> bytes * 8 / seconds;
                case "pps" -> packets / seconds;
                case "activeFlows" -> active < 0 ? null : (double) active;
                case "retransmitRate" -> segments == 0 ? null : (double) retransmits / segments;
                case "rttP50" -> rtt == null ? null : rtt.getQuantile(0.5);
                case "rttP99" -> rtt == null ? null : rtt.getQuantile(0.99);
                default -> throw new IllegalArgumentException("unknown series " + series);
            };
            out.add(new Point(start, value));
        }
        return out;
    }
}
