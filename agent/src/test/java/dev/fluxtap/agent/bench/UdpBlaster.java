package dev.fluxtap.agent.bench;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.locks.LockSupport;

/**
 * Load for agent/bench/capture-to-kafka.sh: sends UDP datagrams on loopback at a fixed rate from many source ports
 * (so the agent sees many flows), paced per millisecond. {@code UdpBlaster PORT PPS SECONDS [PAYLOAD] [FLOWS]}.
 * Prints the datagrams sent. A socket bound to PORT that is never read keeps the kernel from answering with ICMP.
 */
public final class UdpBlaster {

    private UdpBlaster() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        long pps = Long.parseLong(args[1]);
        int seconds = Integer.parseInt(args[2]);
        int payload = args.length > 3 ? Integer.parseInt(args[3]) : 18;
        int flows = args.length > 4 ? Integer.parseInt(args[4]) : 64;
        InetSocketAddress target = new InetSocketAddress("127.0.0.1", port);
        DatagramChannel sink = DatagramChannel.open().bind(target);
        try {
            DatagramChannel[] senders = new DatagramChannel[flows];
            for (int i = 0; i < flows; i++) {
                senders[i] = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
                senders[i].connect(target);
            }
            ByteBuffer buffer = ByteBuffer.allocateDirect(payload);
            long start = System.nanoTime();
            long end = start + seconds * 1_000_000_000L;
            long sent = 0;
            while (true) {
                long now = System.nanoTime();
                if (now >= end) {
                    break;
                }
                long due = (now - start) * pps / 1_000_000_000L;
                if (sent >= due) {
                    LockSupport.parkNanos(200_000);
                    continue;
                }
                while (sent < due) {
                    buffer.clear();
                    senders[(int) (sent % flows)].write(buffer);
                    sent++;
                }
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            System.out.printf("sent %d datagrams in %.1f s (%.0f/s)%n", sent, elapsed, sent / elapsed);
            for (DatagramChannel s : senders) {
                s.close();
            }
        } finally {
            sink.close();
        }
    }
}
