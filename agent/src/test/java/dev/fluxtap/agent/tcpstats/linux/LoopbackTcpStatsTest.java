package dev.fluxtap.agent.tcpstats.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fluxtap.agent.tcpstats.Commands;
import dev.fluxtap.agent.tcpstats.IpAddresses;
import dev.fluxtap.agent.tcpstats.TcpConnectionStats;
import dev.fluxtap.agent.tcpstats.TcpState;
import dev.fluxtap.agent.tcpstats.TcpStatsConfig;
import dev.fluxtap.agent.tcpstats.TcpStatsReading;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Real connections on 127.0.0.1 opened here, read back through ss and through /proc/net/tcp. */
class LoopbackTcpStatsTest {

    private static final int CONNECTIONS = 3;
    private static ServerSocket server;
    private static final List<Socket> clients = new ArrayList<>();
    private static final List<Socket> accepted = new ArrayList<>();
    private static final long[] sent = new long[CONNECTIONS];
    private static final int REPLY = 5000;

    @BeforeAll
    static void openConnections() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        for (int i = 0; i < CONNECTIONS; i++) {
            Socket client = new Socket(InetAddress.getByName("127.0.0.1"), server.getLocalPort());
            Socket peer = server.accept();
            sent[i] = 10_000L * (i + 1);
            client.getOutputStream().write(new byte[(int) sent[i]]);
            readFully(peer.getInputStream(), (int) sent[i]);
            peer.getOutputStream().write(new byte[REPLY]);
            readFully(client.getInputStream(), REPLY);
            clients.add(client);
            accepted.add(peer);
        }
    }

    @AfterAll
    static void close() throws IOException {
        for (Socket s : clients) {
            s.close();
        }
        for (Socket s : accepted) {
            s.close();
        }
        server.close();
    }

    private static void readFully(InputStream in, int n) throws IOException {
        byte[] buffer = new byte[8192];
        int left = n;
        while (left > 0) {
            int r = in.read(buffer, 0, Math.min(buffer.length, left));
            if (r < 0) {
                throw new IOException("closed early");
            }
            left -= r;
        }
    }

    private static int port() {
        return server.getLocalPort();
    }

    private static List<TcpConnectionStats> mine(TcpStatsReading reading) {
        return reading.connections().stream().filter(c -> c.hasPortIn(port(), port())).toList();
    }

    private static String tuple(String local, String remote) {
        return local + " " + remote;
    }

    /** The oracle: ss itself, asked only about our port. */
    private static Set<String> ssSays() {
        String out = Commands.run("ss", "-tnH", "state", "established", "( sport = :" + port() + " or dport = :" + port() + " )");
        return Arrays.stream(out.split("\n"))
                .map(String::strip)
                .filter(l -> !l.isEmpty())
                .map(l -> l.split("\\s+"))
                .map(f -> tuple(f[f.length - 2], f[f.length - 1]))
                .collect(Collectors.toSet());
    }

    private static Set<String> tuples(List<TcpConnectionStats> connections) {
        return connections.stream()
                .map(c -> tuple(endpoint(c.localAddress(), c.localPort()), endpoint(c.remoteAddress(), c.remotePort())))
                .collect(Collectors.toSet());
    }

    /** As ss prints it: IPv6 (here IPv4-mapped, Java's dual-stack sockets) in brackets. */
    private static String endpoint(InetAddress address, int port) {
        String ip = IpAddresses.format(address);
        return (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + port;
    }

    @Test
    void ssSourceEqualsSsWithRttBytesAndThisJvmAsOwner() {
        TcpStatsConfig config = TcpStatsConfig.defaults().withAllNamespaces(false);
        long pid = ProcessHandle.current().pid();
        long netns = Commands.ownNetnsInode();
        try (LinuxSsTcpStatsSource source = new LinuxSsTcpStatsSource(config, Clock.systemUTC())) {
            AtomicReference<List<TcpConnectionStats>> seen = new AtomicReference<>();
            // Acks of the last segments may still be in flight right after the writes: poll until counted.
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                TcpStatsReading reading = source.read();
                assertThat(reading.collectErrors()).isZero();
                assertThat(reading.malformedLines()).isZero();
                List<TcpConnectionStats> mine = mine(reading);
                assertThat(mine).hasSize(2 * CONNECTIONS);
                for (int i = 0; i < CONNECTIONS; i++) {
                    int clientPort = clients.get(i).getLocalPort();
                    TcpConnectionStats client = mine.stream().filter(c -> c.localPort() == clientPort).findFirst().orElseThrow();
                    assertThat(client.bytesAcked()).as("client %d acked", i).isGreaterThanOrEqualTo(sent[i]);
                    assertThat(client.bytesReceived()).isEqualTo(REPLY);
                }
                seen.set(mine);
            });
            List<TcpConnectionStats> mine = seen.get();

            assertThat(tuples(mine)).isEqualTo(ssSays());
            assertThat(mine).allSatisfy(c -> {
                assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
                assertThat(c.rttMicros()).isPositive();
                assertThat(c.cwnd()).isPositive();
                assertThat(c.mss()).isPositive();
                assertThat(c.segsOut()).isPositive();
                assertThat(c.inode()).isPositive();
                assertThat(c.pid()).isEqualTo((int) pid);
                assertThat(c.processName()).isEqualTo("java");
                assertThat(c.commandLine()).contains("java").hasSizeLessThanOrEqualTo(256);
                assertThat(c.containerId()).isNull();
                assertThat(c.netnsInode()).isEqualTo(netns);
                assertThat(c.uid()).isEqualTo(Commands.root() ? 0 : c.uid());
            });
            for (int i = 0; i < CONNECTIONS; i++) {
                int serverSidePeer = accepted.get(i).getPort();
                TcpConnectionStats serverSide = mine.stream()
                        .filter(c -> c.localPort() == port() && c.remotePort() == serverSidePeer).findFirst().orElseThrow();
                assertThat(serverSide.bytesReceived()).isEqualTo(sent[i]);
            }
        }
    }

    @Test
    void procfsFallbackSeesTheSameSocketsWithOwner() {
        TcpStatsConfig config = TcpStatsConfig.defaults().withAllNamespaces(false);
        TcpStatsReading reading = new ProcfsTcpStatsSource(config, Clock.systemUTC()).read();

        assertThat(reading.source()).isEqualTo("procfs");
        assertThat(reading.collectErrors()).isZero();
        List<TcpConnectionStats> mine = mine(reading);
        assertThat(tuples(mine)).isEqualTo(ssSays());
        assertThat(mine).allSatisfy(c -> {
            assertThat(c.pid()).isEqualTo((int) ProcessHandle.current().pid());
            assertThat(c.inode()).isPositive();
            assertThat(c.rttMicros()).isNull();
            assertThat(c.netnsInode()).isEqualTo(Commands.ownNetnsInode());
        });
    }
}
