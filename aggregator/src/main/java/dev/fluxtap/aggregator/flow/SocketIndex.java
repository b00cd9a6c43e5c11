package dev.fluxtap.aggregator.flow;

import dev.fluxtap.aggregator.decode.SocketStats;
import dev.fluxtap.aggregator.decode.TcpSnapshot;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The latest TCP stats snapshot of every host, indexed by canonical 4-tuple for the flow join. A host's new snapshot
 * replaces its previous one. Bounded: sockets beyond {@code maxSockets} are not indexed and are counted.
 */
public final class SocketIndex {

    private record TupleKey(String ipA, int portA, String ipB, int portB) {
        static TupleKey of(String ip1, int port1, String ip2, int port2) {
            int c = ip1.compareTo(ip2);
            return c < 0 || (c == 0 && port1 <= port2) ? new TupleKey(ip1, port1, ip2, port2) : new TupleKey(ip2, port2, ip1, port1);
        }
    }

    /** The sockets of one host from its latest snapshot. */
    public record HostSockets(String hostId, String agentId, long tsMicros, List<FlowSocket> sockets) {
    }

    private final int maxSockets;
    private final Map<String, HostSockets> hosts = new ConcurrentHashMap<>();
    private final Map<TupleKey, List<FlowSocket>> byTuple = new ConcurrentHashMap<>();
    private final AtomicLong indexed = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();

    public SocketIndex(int maxSockets) {
        this.maxSockets = maxSockets;
    }

    /** Replaces the host's sockets with the snapshot's. Called from one thread (ingest). */
    public void apply(TcpSnapshot snapshot) {
        HostSockets previous = hosts.get(snapshot.hostId());
        if (previous != null && previous.tsMicros() > snapshot.tsMicros()) {
            return;
        }
        if (previous != null) {
            for (FlowSocket s : previous.sockets()) {
                byTuple.computeIfPresent(TupleKey.of(s.localIp(), s.localPort(), s.remoteIp(), s.remotePort()), (k, list) -> {
                    List<FlowSocket> rest = new ArrayList<>(list);
                    rest.removeIf(x -> x.hostId().equals(s.hostId()));
                    return rest.isEmpty() ? null : List.copyOf(rest);
                });
            }
            indexed.addAndGet(-previous.sockets().size());
        }
        List<FlowSocket> sockets = new ArrayList<>(snapshot.sockets().size());
        for (SocketStats s : snapshot.sockets()) {
            if (indexed.get() + sockets.size() >= maxSockets) {
                rejected.incrementAndGet();
                continue;
            }
            sockets.add(new FlowSocket(snapshot.hostId(), snapshot.tsMicros(), s.localIp(), s.localPort(), s.remoteIp(), s.remotePort(),
                    s.state(), s.rttMicros(), s.cwndSegments(), s.retransmitsTotal(), s.pid(), s.processName(), s.containerId()));
        }
        for (FlowSocket s : sockets) {
            byTuple.merge(TupleKey.of(s.localIp(), s.localPort(), s.remoteIp(), s.remotePort()), List.of(s), (old, one) -> {
                List<FlowSocket> merged = new ArrayList<>(old.size() + 1);
                merged.addAll(old);
                merged.addAll(one);
                return List.copyOf(merged);
            });
        }
        indexed.addAndGet(sockets.size());
        hosts.put(snapshot.hostId(), new HostSockets(snapshot.hostId(), snapshot.agentId(), snapshot.tsMicros(), List.copyOf(sockets)));
    }

    /** Sockets of any host whose 4-tuple is the flow's, in either orientation. */
    public List<FlowSocket> lookup(String ip1, int port1, String ip2, int port2) {
        if (byTuple.isEmpty()) {
            return List.of();
        }
        return byTuple.getOrDefault(TupleKey.of(ip1, port1, ip2, port2), List.of());
    }

    public Collection<HostSockets> hosts() {
        return hosts.values();
    }

    /** Local addresses of an agent's host, learned from its sockets; used to split its traffic into in and out. */
    public Map<String, java.util.Set<String>> localAddressesByAgent() {
        Map<String, java.util.Set<String>> result = new HashMap<>();
        for (HostSockets h : hosts.values()) {
            java.util.Set<String> set = result.computeIfAbsent(h.agentId(), k -> new java.util.HashSet<>());
            h.sockets().forEach(s -> set.add(s.localIp()));
        }
        return result;
    }

    public long indexedSockets() {
        return indexed.get();
    }

    public long rejectedSockets() {
        return rejected.get();
    }
}
