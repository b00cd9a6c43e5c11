package dev.fluxtap.agent.tcpstats;

import dev.fluxtap.agent.tcpstats.linux.CommandRunner;
import dev.fluxtap.agent.tcpstats.linux.LinuxSsTcpStatsSource;
import dev.fluxtap.agent.tcpstats.linux.ProcScan;
import dev.fluxtap.agent.tcpstats.linux.SsOutputParser;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Bench command (not a test): opens N loopback sockets (N/2 connections, both ends in this JVM), then measures the
 * CPU of one poll of the ss source: this process's user+system time plus that of the waited-for children (ss), from
 * /proc/self/stat, for the first poll (cold JVM) and averaged over several polls after warm-up (the agent's steady
 * state: it polls every 5 s for its whole life). Also splits the cost: ss alone, parsing alone, the /proc pass alone.
 * Usage: {@code TcpStatsCpuBench [sockets=10000] [polls=20] [warmup=30]}; needs {@code ulimit -n} above N.
 */
public final class TcpStatsCpuBench {

    private TcpStatsCpuBench() {
    }

    public static void main(String[] args) throws IOException {
        int sockets = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int polls = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 30;
        List<Socket> open = new ArrayList<>(sockets);
        try (ServerSocket server = new ServerSocket(0, 1024, InetAddress.getByName("127.0.0.1"))) {
            for (int i = 0; i < sockets / 2; i++) {
                open.add(new Socket(InetAddress.getByName("127.0.0.1"), server.getLocalPort()));
                open.add(server.accept());
            }
            TcpStatsConfig config = TcpStatsConfig.defaults().withAllNamespaces(false);
            try (LinuxSsTcpStatsSource source = new LinuxSsTcpStatsSource(config, Clock.systemUTC())) {
                long first = cpuTicks();
                int seen = source.read().connections().size();
                System.out.printf("first poll (cold JVM): %.0f ms CPU (process + children)%n",
                        (cpuTicks() - first) * 1000.0 / ticksPerSecond());
                for (int i = 1; i < warmup; i++) {
                    seen = source.read().connections().size();
                }
                ThreadMXBean threadBean = ManagementFactory.getThreadMXBean();
                long cpu0 = cpuTicks();
                long children0 = childTicks();
                long thread0 = threadBean.getCurrentThreadCpuTime();
                long wall0 = System.nanoTime();
                for (int i = 0; i < polls; i++) {
                    seen = source.read().connections().size();
                }
                double pollCpuMs = (cpuTicks() - cpu0) * 1000.0 / ticksPerSecond() / polls;
                double childMs = (childTicks() - children0) * 1000.0 / ticksPerSecond() / polls;
                double threadMs = (threadBean.getCurrentThreadCpuTime() - thread0) / 1e6 / polls;
                double pollWallMs = (System.nanoTime() - wall0) / 1e6 / polls;
                System.out.printf("sockets open: %d, connections reported per poll: %d%n", open.size(), seen);
                System.out.printf("steady-state poll (ss -tineOH + /proc pass + parse + attribution), mean of %d: %.1f ms CPU (process + children), %.1f ms wall%n",
                        polls, pollCpuMs, pollWallMs);
                System.out.printf("  of which: ss child %.1f ms, polling thread %.1f ms, other JVM threads (GC, JIT, pipe readers) %.1f ms%n",
                        childMs, threadMs, pollCpuMs - childMs - threadMs);

                try (CommandRunner runner = new CommandRunner(Duration.ofSeconds(10), 64 << 20)) {
                    for (String flags : new String[] {"-tinpeOH", "-tineOH"}) {
                        long c0 = childTicks();
                        String output = null;
                        for (int i = 0; i < polls; i++) {
                            output = runner.run(List.of("ss", flags)).stdoutText();
                        }
                        System.out.printf("ss %s alone: %.1f ms CPU (child), %d bytes of output%n", flags,
                                (childTicks() - c0) * 1000.0 / ticksPerSecond() / polls, output.length());
                    }
                    String output = runner.run(List.of("ss", "-tinpeOH")).stdoutText();
                    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
                    SsOutputParser parser = new SsOutputParser();
                    long t0 = threads.getCurrentThreadCpuTime();
                    for (int i = 0; i < polls; i++) {
                        parser.parse(output);
                    }
                    System.out.printf("parsing alone: %.1f ms CPU%n", (threads.getCurrentThreadCpuTime() - t0) / 1e6 / polls);
                    t0 = threads.getCurrentThreadCpuTime();
                    for (int i = 0; i < polls; i++) {
                        ProcScan.scan(Path.of("/proc"), 256, true);
                    }
                    System.out.printf("/proc pass alone (namespaces + socket owners): %.1f ms CPU%n",
                            (threads.getCurrentThreadCpuTime() - t0) / 1e6 / polls);
                }
            }
        } finally {
            for (Socket s : open) {
                s.close();
            }
        }
    }

    /** utime + stime + cutime + cstime of this process, in clock ticks. */
    private static long cpuTicks() throws IOException {
        String[] f = stat();
        return Long.parseLong(f[13]) + Long.parseLong(f[14]) + Long.parseLong(f[15]) + Long.parseLong(f[16]);
    }

    private static long childTicks() throws IOException {
        String[] f = stat();
        return Long.parseLong(f[15]) + Long.parseLong(f[16]);
    }

    private static String[] stat() throws IOException {
        String s = Files.readString(Path.of("/proc/self/stat"));
        // Fields after the command name, which is in parentheses and may contain spaces.
        String rest = s.substring(s.lastIndexOf(')') + 2);
        String[] tail = rest.split(" ");
        String[] f = new String[tail.length + 2];
        System.arraycopy(tail, 0, f, 2, tail.length);
        return f;
    }

    private static long ticksPerSecond() {
        return 100; // USER_HZ on Linux x86/arm: the unit of /proc/PID/stat times
    }
}
