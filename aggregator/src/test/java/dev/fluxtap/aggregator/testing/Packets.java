package dev.fluxtap.aggregator.testing;

import dev.fluxtap.aggregator.decode.IpAddresses;
import dev.fluxtap.aggregator.decode.SummaryBatch;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Readable construction of packet summaries for flow-table tests. */
public final class Packets {

    public static final int FIN = 1, SYN = 2, RST = 4, PSH = 8, ACK = 16;

    /** One packet summary with text addresses. */
    public record Pkt(long tsMicros, int protocol, String srcIp, int srcPort, String dstIp, int dstPort, int ipBytes, int flags,
                      long seq, int payload) {
        public Pkt at(long newTs) {
            return new Pkt(newTs, protocol, srcIp, srcPort, dstIp, dstPort, ipBytes, flags, seq, payload);
        }
    }

    public static Pkt tcp(long ts, String src, int sport, String dst, int dport, int flags, long seq, int payload) {
        return new Pkt(ts, 6, src, sport, dst, dport, 40 + payload, flags, seq, payload);
    }

    public static Pkt udp(long ts, String src, int sport, String dst, int dport, int payload) {
        return new Pkt(ts, 17, src, sport, dst, dport, 28 + payload, 0, 0, payload);
    }

    public static SummaryBatch batch(String agent, int partition, long sequence, List<Pkt> packets) {
        SummaryBatch.Builder b = SummaryBatch.builder(agent, "boot-1", partition, sequence, packets.size());
        for (Pkt p : packets) {
            ByteBuffer s = address(p.srcIp());
            ByteBuffer d = address(p.dstIp());
            b.add(p.tsMicros(), s.remaining() == 16 ? 6 : 4, p.protocol(), IpAddresses.hi(s), IpAddresses.lo(s), IpAddresses.hi(d),
                    IpAddresses.lo(d), p.srcPort(), p.dstPort(), p.ipBytes(), p.flags(), p.seq(), p.payload());
        }
        return b.build();
    }

    public static SummaryBatch batch(String agent, List<Pkt> packets) {
        return batch(agent, 0, 0, packets);
    }

    public static ByteBuffer address(String text) {
        try {
            return ByteBuffer.wrap(InetAddress.getByName(text).getAddress());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    /** A complete TCP connection: handshake, {@code dataSegments} requests of 100 bytes answered by 1000 bytes, FIN/ACK teardown. */
    public static List<Pkt> connection(long t0, String client, int cport, String server, int sport, int dataSegments) {
        List<Pkt> out = new ArrayList<>();
        long t = t0;
        long cseq = 1000, sseq = 5000;
        out.add(tcp(t, client, cport, server, sport, SYN, cseq, 0));
        out.add(tcp(t += 1000, server, sport, client, cport, SYN | ACK, sseq, 0));
        out.add(tcp(t += 1000, client, cport, server, sport, ACK, ++cseq, 0));
        sseq++;
        for (int i = 0; i < dataSegments; i++) {
            out.add(tcp(t += 1000, client, cport, server, sport, PSH | ACK, cseq, 100));
            cseq += 100;
            out.add(tcp(t += 1000, server, sport, client, cport, PSH | ACK, sseq, 1000));
            sseq += 1000;
        }
        out.add(tcp(t += 1000, client, cport, server, sport, FIN | ACK, cseq, 0));
        out.add(tcp(t += 1000, server, sport, client, cport, FIN | ACK, sseq, 0));
        out.add(tcp(t + 1000, client, cport, server, sport, ACK, cseq + 1, 0));
        return out;
    }

    private Packets() {
    }
}
