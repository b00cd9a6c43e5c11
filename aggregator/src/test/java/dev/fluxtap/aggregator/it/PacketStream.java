package dev.fluxtap.aggregator.it;

import static dev.fluxtap.aggregator.testing.Packets.ACK;
import static dev.fluxtap.aggregator.testing.Packets.FIN;
import static dev.fluxtap.aggregator.testing.Packets.PSH;
import static dev.fluxtap.aggregator.testing.Packets.RST;
import static dev.fluxtap.aggregator.testing.Packets.SYN;
import static dev.fluxtap.aggregator.testing.Packets.tcp;
import static dev.fluxtap.aggregator.testing.Packets.udp;

import dev.fluxtap.aggregator.testing.AgentFixture;
import dev.fluxtap.aggregator.testing.Packets.Pkt;
import dev.fluxtap.schemas.AvroCodec;
import dev.fluxtap.schemas.FluxtapSchemas;
import dev.fluxtap.schemas.avro.PacketBatch;
import dev.fluxtap.schemas.avro.PacketSummary;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * A deterministic stream of packet batch records as a fleet of agents would publish it: many TCP and UDP flows spread
 * over a few minutes of event time, each agent grouping its summaries per partition (the canonical 5-tuple's
 * partition, {@link AgentFixture#partitionFor}) into batches closed by size or by one second of event time (the
 * agent's linger), sequence numbers per (agent, partition) from 0, Avro single-object encoded as PacketBatch or
 * PacketColumns in turn. A few flows are seen by
 * two agents (stitched). The same seed and start time always give the same records in the same order, and
 * {@link #expected()} is the per-flow count the aggregator must arrive at.
 */
final class PacketStream {

    /** One record for {@code fluxtap.packets.v1}. */
    record Batch(int partition, byte[] key, byte[] value, int summaries) {
    }

    /** Expected totals of one flow; fwd = initiator to responder. */
    record FlowTotals(long fwdPackets, long fwdBytes, long revPackets, long revBytes) {
        FlowTotals plus(boolean fwd, int ipBytes) {
            return fwd ? new FlowTotals(fwdPackets + 1, fwdBytes + ipBytes, revPackets, revBytes)
                    : new FlowTotals(fwdPackets, fwdBytes, revPackets + 1, revBytes + ipBytes);
        }
    }

    private record Tagged(Pkt pkt, String agent, int flow, int order) {
    }

    static final int PARTITIONS = 6;
    private static final int MAX_BATCH = 12;
    private static final long LINGER_MICROS = 1_000_000L;
    private static final int[] TCP_PORTS = {443, 80, 5432, 8080, 9092};

    private final List<Batch> batches;
    private final Map<String, FlowTotals> expected;
    private final long summaries;

    private PacketStream(List<Batch> batches, Map<String, FlowTotals> expected, long summaries) {
        this.batches = List.copyOf(batches);
        this.expected = Map.copyOf(expected);
        this.summaries = summaries;
    }

    /**
     * @param flows      number of flows (a few percent of them also seen by a second agent)
     * @param agents     agents, each owning its own client hosts
     * @param t0Micros   event time of the stream's start
     * @param spanMicros the flows start spread over this much event time
     */
    static PacketStream generate(long seed, int flows, int agents, long t0Micros, long spanMicros) {
        Random rnd = new Random(seed);
        List<Tagged> all = new ArrayList<>();
        Map<String, FlowTotals> expected = new TreeMap<>();
        for (int i = 0; i < flows; i++) {
            int a = i % agents;
            String client = "10." + (40 + a) + "." + (i / 200 % 200) + "." + (1 + i % 200);
            String server = "10.99." + (rnd.nextInt(4)) + "." + (1 + rnd.nextInt(30));
            int cport = 20_000 + rnd.nextInt(40_000);
            long start = t0Micros + (long) (rnd.nextDouble() * spanMicros);
            int kind = rnd.nextInt(100);
            List<Pkt> pkts = kind < 15 ? udpExchange(rnd, start, client, cport, server)
                    : tcpConnection(rnd, start, client, cport, server, TCP_PORTS[rnd.nextInt(TCP_PORTS.length)], kind < 70 ? FIN : kind < 75 ? RST : 0);
            Pkt first = pkts.get(0);
            String key = key(first);
            FlowTotals totals = new FlowTotals(0, 0, 0, 0);
            for (Pkt p : pkts) {
                totals = totals.plus(p.srcIp().equals(first.srcIp()) && p.srcPort() == first.srcPort(), p.ipBytes());
            }
            expected.put(key, totals);
            String agent = agentId(a);
            for (int j = 0; j < pkts.size(); j++) {
                all.add(new Tagged(pkts.get(j), agent, i, j));
            }
            if (rnd.nextInt(100) < 5) { // the other end is monitored too: the same packets, 200 µs later, from another agent
                String peer = agentId((a + 1) % agents);
                for (int j = 0; j < pkts.size(); j++) {
                    all.add(new Tagged(pkts.get(j).at(pkts.get(j).tsMicros() + 200), peer, i, j));
                }
            }
        }
        all.sort(Comparator.comparingLong((Tagged t) -> t.pkt.tsMicros()).thenComparing(Tagged::agent).thenComparingInt(Tagged::flow)
                .thenComparingInt(Tagged::order));
        return new PacketStream(batch(all), expected, all.size());
    }

    static String agentId(int a) {
        return "kn-agent-" + (a + 1);
    }

    /** The key the tests compare flows by: protocol, initiator and responder. */
    static String key(int protocol, String srcIp, int srcPort, String dstIp, int dstPort) {
        return protocol + " " + srcIp + ":" + srcPort + " > " + dstIp + ":" + dstPort;
    }

    private static String key(Pkt first) {
        return key(first.protocol(), first.srcIp(), first.srcPort(), first.dstIp(), first.dstPort());
    }

    /** Groups per agent and partition the way the agent's PartitionBatcher does, with its linger measured in event time. */
    private static List<Batch> batch(List<Tagged> packets) {
        AvroCodec<PacketBatch> codec = AvroCodec.of(FluxtapSchemas.PACKET_BATCH);
        Map<String, List<List<Tagged>>> open = new TreeMap<>();
        Map<String, long[]> sequences = new HashMap<>();
        List<Batch> out = new ArrayList<>();
        for (Tagged t : packets) {
            long now = t.pkt.tsMicros();
            open.forEach((agent, perPartition) -> {
                for (int p = 0; p < PARTITIONS; p++) {
                    List<Tagged> b = perPartition.get(p);
                    if (b != null && now - b.get(0).pkt.tsMicros() >= LINGER_MICROS) {
                        out.add(close(codec, agent, p, sequences, perPartition));
                    }
                }
            });
            List<List<Tagged>> perPartition = open.computeIfAbsent(t.agent, k -> new ArrayList<>(Collections.nCopies(PARTITIONS, null)));
            int p = AgentFixture.partitionOf(t.pkt, PARTITIONS);
            if (perPartition.get(p) == null) {
                perPartition.set(p, new ArrayList<>(MAX_BATCH));
            }
            perPartition.get(p).add(t);
            if (perPartition.get(p).size() >= MAX_BATCH) {
                out.add(close(codec, t.agent, p, sequences, perPartition));
            }
        }
        open.forEach((agent, perPartition) -> {
            for (int p = 0; p < PARTITIONS; p++) {
                if (perPartition.get(p) != null) {
                    out.add(close(codec, agent, p, sequences, perPartition));
                }
            }
        });
        return out;
    }

    private static Batch close(AvroCodec<PacketBatch> codec, String agent, int partition, Map<String, long[]> sequences,
                               List<List<Tagged>> perPartition) {
        List<Tagged> b = perPartition.set(partition, null);
        List<PacketSummary> summaries = b.stream().map(t -> AgentFixture.summary(t.pkt)).toList();
        long sequence = sequences.computeIfAbsent(agent, k -> new long[PARTITIONS])[partition]++;
        PacketBatch batch = PacketBatch.newBuilder().setAgentId(agent).setBootId("boot-1").setPartition(partition).setSequence(sequence)
                .setCreatedMicros(b.get(b.size() - 1).pkt.tsMicros()).setInterfaces(List.of("eth0")).setPackets(summaries).build();
        // Both formats, as AgentFixture sends them.
        byte[] value = sequence % 2 == 0 ? codec.encode(batch) : AgentFixture.encodeColumns(batch);
        return new Batch(partition, AgentFixture.key(partition), value, summaries.size());
    }

    /** Handshake, 1-8 request/response exchanges over up to ~20 s, then FIN from both sides, a RST, or nothing (left open). */
    private static List<Pkt> tcpConnection(Random rnd, long t0, String client, int cport, String server, int sport, int close) {
        List<Pkt> out = new ArrayList<>();
        long t = t0;
        long cseq = rnd.nextInt(1 << 30), sseq = rnd.nextInt(1 << 30);
        out.add(tcp(t, client, cport, server, sport, SYN, cseq++, 0));
        out.add(tcp(t += 100 + rnd.nextInt(50_000), server, sport, client, cport, SYN | ACK, sseq++, 0));
        out.add(tcp(t += 50 + rnd.nextInt(500), client, cport, server, sport, ACK, cseq, 0));
        int exchanges = 1 + rnd.nextInt(8);
        for (int i = 0; i < exchanges; i++) {
            int request = 20 + rnd.nextInt(500), response = rnd.nextInt(1400);
            out.add(tcp(t += 1000 + rnd.nextInt(3_000_000), client, cport, server, sport, PSH | ACK, cseq, request));
            cseq += request;
            out.add(tcp(t += 100 + rnd.nextInt(50_000), server, sport, client, cport, PSH | ACK, sseq, response));
            sseq += response;
        }
        if (close == FIN) {
            out.add(tcp(t += 1000 + rnd.nextInt(100_000), client, cport, server, sport, FIN | ACK, cseq, 0));
            out.add(tcp(t += 100 + rnd.nextInt(50_000), server, sport, client, cport, FIN | ACK, sseq, 0));
            out.add(tcp(t + 50 + rnd.nextInt(500), client, cport, server, sport, ACK, cseq + 1, 0));
        } else if (close == RST) {
            out.add(tcp(t + 1000 + rnd.nextInt(100_000), server, sport, client, cport, RST, sseq, 0));
        }
        return out;
    }

    /** DNS-like: 1-4 queries answered, a few seconds apart (ends by the UDP idle timeout). */
    private static List<Pkt> udpExchange(Random rnd, long t0, String client, int cport, String server) {
        List<Pkt> out = new ArrayList<>();
        long t = t0;
        int queries = 1 + rnd.nextInt(4);
        for (int i = 0; i < queries; i++) {
            out.add(udp(t += rnd.nextInt(3_000_000), client, cport, server, 53, 30 + rnd.nextInt(40)));
            out.add(udp(t += 200 + rnd.nextInt(20_000), server, 53, client, cport, 60 + rnd.nextInt(400)));
        }
        return out;
    }

    List<Batch> batches() {
        return batches;
    }

    /** Per flow key ({@link #key}), the totals every observer saw (the stitched copies are the same packets). */
    Map<String, FlowTotals> expected() {
        return expected;
    }

    long summaries() {
        return summaries;
    }
}
