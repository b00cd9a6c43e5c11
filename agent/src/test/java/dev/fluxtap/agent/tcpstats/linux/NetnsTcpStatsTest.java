package dev.fluxtap.agent.tcpstats.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fluxtap.agent.tcpstats.CliRun;
import dev.fluxtap.agent.tcpstats.Commands;
import dev.fluxtap.agent.tcpstats.IpAddresses;
import dev.fluxtap.agent.tcpstats.TcpConnectionStats;
import dev.fluxtap.agent.tcpstats.TcpState;
import dev.fluxtap.agent.tcpstats.TcpStatsConfig;
import dev.fluxtap.agent.tcpstats.TcpStatsReading;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Two network namespaces joined by a veth pair, created here with {@code ip netns}; socat servers and clients in
 * them; the source (and the CLI) in the root namespace must report each socket with its namespace and process.
 * Needs root (CI runs as root); skipped with a message otherwise.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NetnsTcpStatsTest {

    private static final String SUFFIX = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
    private static final String NS_A = "fxtsa-" + SUFFIX;
    private static final String NS_B = "fxtsb-" + SUFFIX;
    private static final String SUBNET = "10." + (100 + ThreadLocalRandom.current().nextInt(100)) + "."
            + ThreadLocalRandom.current().nextInt(256) + ".";
    private static final String IP_A = SUBNET + "1";
    private static final String IP_B = SUBNET + "2";
    private static final List<Process> processes = new ArrayList<>();
    private static boolean created;
    private static long inodeA;
    private static long inodeB;
    private static Process serverA9000;
    private static Process clientB9000;

    @BeforeAll
    static void createNamespaces() {
        assumeTrue(Commands.root(), "needs root to create network namespaces (CI runs as root): skipped");
        assumeTrue(Commands.onPath("ip") && Commands.onPath("socat") && Commands.onPath("nsenter") && Commands.onPath("ss"),
                "needs ip (iproute2), ss, nsenter (util-linux) and socat: install them (.ci/run does)");
        try {
            Commands.run("ip", "netns", "add", NS_A);
            created = true;
            Commands.run("ip", "netns", "add", NS_B);
            Commands.run("ip", "link", "add", "fxa" + SUFFIX, "netns", NS_A, "type", "veth", "peer", "name", "fxb" + SUFFIX,
                    "netns", NS_B);
            Commands.run("ip", "-n", NS_A, "addr", "add", IP_A + "/24", "dev", "fxa" + SUFFIX);
            Commands.run("ip", "-n", NS_B, "addr", "add", IP_B + "/24", "dev", "fxb" + SUFFIX);
            for (String[] nsDev : new String[][] {{NS_A, "fxa" + SUFFIX}, {NS_B, "fxb" + SUFFIX}}) {
                Commands.run("ip", "-n", nsDev[0], "link", "set", "lo", "up");
                Commands.run("ip", "-n", nsDev[0], "link", "set", nsDev[1], "up");
            }
        } catch (RuntimeException e) {
            deleteNamespaces();
            throw e;
        }
    }

    @AfterAll
    static void deleteNamespaces() {
        try {
            for (Process p : processes) {
                p.destroyForcibly();
            }
            for (Process p : processes) {
                p.onExit().join();
            }
            FakeContainerCgroup.removeAll();
        } finally {
            if (created) {
                Commands.runQuietly("ip", "netns", "del", NS_A);
                Commands.runQuietly("ip", "netns", "del", NS_B);
            }
        }
    }

    /** socat with stdin from this test (kept open) in the namespace: a server accepting one connection, or a client. */
    private static Process socat(String ns, String address) throws IOException {
        Process p = new ProcessBuilder("ip", "netns", "exec", ns, "socat", "-", address)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        processes.add(p);
        return p;
    }

    private static Process server(String ns, String ip, int port) throws IOException {
        Process p = socat(ns, "TCP4-LISTEN:" + port + ",bind=" + ip + ",reuseaddr");
        await().atMost(Duration.ofSeconds(10)).until(() -> Commands.run("ip", "netns", "exec", ns, "ss", "-tlnH",
                "sport = :" + port).contains(ip + ":" + port));
        return p;
    }

    private static TcpStatsReading readAll() {
        try (LinuxSsTcpStatsSource source = new LinuxSsTcpStatsSource(TcpStatsConfig.defaults(), Clock.systemUTC())) {
            return source.read();
        }
    }

    private static List<TcpConnectionStats> established(TcpStatsReading r, int from, int to) {
        return r.connections().stream()
                .filter(c -> c.state() == TcpState.ESTABLISHED && c.hasPortIn(from, to)
                        && (c.netnsInode() == inodeA || c.netnsInode() == inodeB))
                .toList();
    }

    private static TcpConnectionStats socket(List<TcpConnectionStats> all, long netns, String localIp, int remotePortOrZero,
            int localPortOrZero) {
        return all.stream()
                .filter(c -> c.netnsInode() == netns && IpAddresses.format(c.localAddress()).equals(localIp)
                        && (remotePortOrZero == 0 || c.remotePort() == remotePortOrZero)
                        && (localPortOrZero == 0 || c.localPort() == localPortOrZero))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no socket in net:[" + netns + "] " + localIp + " in " + all));
    }

    /** The namespace of a process started with {@code ip netns exec}, once it has switched (setns, then exec socat). */
    private static long inodeOf(Process p) {
        Path link = Path.of("/proc/" + p.pid() + "/ns/net");
        long own = Commands.ownNetnsInode();
        return await().atMost(Duration.ofSeconds(10))
                .until(() -> ProcScan.nsInode(link), inode -> inode > 0 && inode != own);
    }

    @Test
    @Order(1)
    void oneConnectionBetweenTwoNamespaces() throws IOException {
        serverA9000 = server(NS_A, IP_A, 9000);
        clientB9000 = socat(NS_B, "TCP4:" + IP_A + ":9000");
        inodeA = inodeOf(serverA9000);
        inodeB = inodeOf(clientB9000);
        assertThat(inodeA).isPositive().isNotEqualTo(inodeB).isNotEqualTo(Commands.ownNetnsInode());
        assertThat(inodeB).isPositive();

        List<TcpConnectionStats> sockets = new ArrayList<>();
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            TcpStatsReading reading = readAll();
            assertThat(reading.namespacesScanned()).isGreaterThanOrEqualTo(3);
            sockets.clear();
            sockets.addAll(established(reading, 9000, 9000));
            assertThat(sockets).hasSize(2);
        });

        TcpConnectionStats server = socket(sockets, inodeA, IP_A, 0, 9000);
        assertThat(IpAddresses.format(server.remoteAddress())).isEqualTo(IP_B);
        assertThat(server.pid()).isEqualTo((int) serverA9000.pid());
        assertThat(server.processName()).isEqualTo("socat");
        assertThat(server.commandLine()).contains("TCP4-LISTEN:9000");
        assertThat(server.rttMicros()).isPositive();

        TcpConnectionStats client = socket(sockets, inodeB, IP_B, 9000, 0);
        assertThat(client.pid()).isEqualTo((int) clientB9000.pid());
        assertThat(client.localPort()).isEqualTo(server.remotePort());

        CliRun count = CliRun.of("--once", "--count", "--port", "9000", "--netns", Long.toString(inodeA));
        assertThat(count.err()).isEmpty();
        assertThat(count.out().strip()).isEqualTo("1");
        assertThat(CliRun.of("--once", "--count", "--port", "9000-9001", "--netns", "net:[" + inodeB + "]").out().strip())
                .isEqualTo("1");
    }

    @Test
    @Order(2)
    void connectionsInBothDirectionsOn9000And9001() throws IOException {
        assumeTrue(serverA9000 != null && serverA9000.isAlive(), "needs the connection of the first test");
        Process serverB9001 = server(NS_B, IP_B, 9001);
        Process clientA9001 = socat(NS_A, "TCP4:" + IP_B + ":9001");

        List<TcpConnectionStats> sockets = new ArrayList<>();
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            sockets.clear();
            sockets.addAll(established(readAll(), 9000, 9001));
            assertThat(sockets).hasSize(4);
        });

        assertThat(socket(sockets, inodeA, IP_A, 0, 9000).pid()).isEqualTo((int) serverA9000.pid());
        assertThat(socket(sockets, inodeA, IP_A, 9001, 0).pid()).isEqualTo((int) clientA9001.pid());
        assertThat(socket(sockets, inodeB, IP_B, 0, 9001).pid()).isEqualTo((int) serverB9001.pid());
        assertThat(socket(sockets, inodeB, IP_B, 9000, 0).pid()).isEqualTo((int) clientB9000.pid());

        for (long ns : new long[] {inodeA, inodeB}) {
            CliRun run = CliRun.of("--once", "--count", "--port", "9000-9001", "--netns", Long.toString(ns));
            assertThat(run.err()).isEmpty();
            assertThat(run.out().strip()).as("net:[%d]", ns).isEqualTo("2");
        }
        assertThat(CliRun.of("--once", "--count", "--port", "9001", "--netns", Long.toString(inodeA)).out().strip()).isEqualTo("1");

        // The same processes, now also in a container cgroup (as docker would place them): --container selects them.
        String id = HexFormat.of().formatHex(java.security.SecureRandom.getSeed(32));
        assumeTrue(FakeContainerCgroup.create(id), "no writable cgroup hierarchy to place a process in a docker-like cgroup");
        FakeContainerCgroup.move(id, serverA9000.pid());
        CliRun one = CliRun.of("--once", "--count", "--port", "9000-9001", "--container", id.substring(0, 12));
        assertThat(one.err()).isEmpty();
        assertThat(one.out().strip()).isEqualTo("1");
        FakeContainerCgroup.move(id, clientA9001.pid());
        assertThat(CliRun.of("--once", "--count", "--port", "9000-9001", "--container", id).out().strip()).isEqualTo("2");
        TcpConnectionStats inContainer = socket(established(readAll(), 9000, 9001), inodeA, IP_A, 9001, 0);
        assertThat(inContainer.containerId()).isEqualTo(id);
    }

    /** A cgroup named as docker names them ({@code docker-<id>.scope} on v2, {@code /docker/<id>} on v1). */
    static final class FakeContainerCgroup {
        private static final List<Path> createdDirs = new ArrayList<>();

        static Path dir(String id) {
            Path root = Path.of("/sys/fs/cgroup");
            if (Files.exists(root.resolve("cgroup.controllers"))) {
                return root.resolve("docker-" + id + ".scope");
            }
            return root.resolve("pids/docker").resolve(id);
        }

        static boolean create(String id) {
            Path dir = dir(id);
            try {
                if (!Files.isDirectory(dir.getParent())) {
                    Files.createDirectory(dir.getParent());
                    createdDirs.add(0, dir.getParent());
                }
                Files.createDirectory(dir);
                createdDirs.add(0, dir);
                return Files.isWritable(dir.resolve("cgroup.procs"));
            } catch (IOException | UnsupportedOperationException e) {
                return false;
            }
        }

        static void move(String id, long pid) throws IOException {
            Files.writeString(dir(id).resolve("cgroup.procs"), Long.toString(pid));
        }

        /** After the processes are gone: cgroups can be removed only when empty. */
        static void removeAll() {
            for (Path dir : createdDirs) {
                await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
                    Files.deleteIfExists(dir);
                    return true;
                });
            }
            createdDirs.clear();
        }
    }
}
