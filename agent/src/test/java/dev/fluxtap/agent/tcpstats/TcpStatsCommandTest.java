package dev.fluxtap.agent.tcpstats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The CLI against real loopback connections of this JVM (own namespace: no privileges needed). */
class TcpStatsCommandTest {

    private static ServerSocket server;
    private static Socket client;
    private static Socket peer;

    @BeforeAll
    static void connect() throws IOException {
        server = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"));
        client = new Socket(InetAddress.getByName("127.0.0.1"), server.getLocalPort());
        peer = server.accept();
        client.getOutputStream().write(new byte[4096]);
        peer.getInputStream().readNBytes(4096);
    }

    @AfterAll
    static void close() throws IOException {
        client.close();
        peer.close();
        server.close();
    }

    private static String port() {
        return Integer.toString(server.getLocalPort());
    }

    @Test
    void countPrintsOnlyTheNumber() {
        CliRun run = CliRun.of("--once", "--own-namespace", "--count", "--port", port());
        assertThat(run.err()).isEmpty();
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).isEqualTo("2" + System.lineSeparator());

        CliRun listening = CliRun.of("--once", "--own-namespace", "--count", "--port", port(), "--state", "LISTEN");
        assertThat(listening.out().strip()).isEqualTo("1");
        CliRun none = CliRun.of("--once", "--own-namespace", "--count", "--port", port(), "--state", "time_wait");
        assertThat(none.out().strip()).isEqualTo("0");
    }

    @Test
    void jsonHasTheDocumentedShape() throws IOException {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            CliRun run = CliRun.of("--once", "--own-namespace", "--format", "json", "--port", port());
            assertThat(run.exitCode()).as(run.err()).isZero();
            JsonNode connections = new ObjectMapper().readTree(run.out()).get("connections");
            assertThat(connections).hasSize(2);
            JsonNode fromClient = connections.findParents("localPort").stream()
                    .filter(n -> n.get("localPort").asInt() == client.getLocalPort()).findFirst().orElseThrow();
            assertThat(fromClient.get("localIp").asText()).isEqualTo("::ffff:127.0.0.1");
            assertThat(fromClient.get("remotePort").asText()).isEqualTo(port());
            assertThat(fromClient.get("state").asText()).isEqualTo("ESTABLISHED");
            assertThat(fromClient.get("rttMicros").asLong()).isPositive();
            assertThat(fromClient.get("cwnd").asInt()).isPositive();
            assertThat(fromClient.get("bytesAcked").asLong()).isGreaterThanOrEqualTo(4096);
            assertThat(fromClient.get("pid").asLong()).isEqualTo(ProcessHandle.current().pid());
            assertThat(fromClient.get("process").asText()).isEqualTo("java");
            assertThat(fromClient.get("netnsInode").asLong()).isEqualTo(Commands.ownNetnsInode());
            assertThat(fromClient.has("containerId")).isTrue();
            assertThat(fromClient.has("retransmits")).isTrue();
            assertThat(fromClient.has("bytesReceived")).isTrue();
            List<String> names = List.of("localIp", "localPort", "remoteIp", "remotePort", "state", "rttMicros", "cwnd",
                    "retransmits", "bytesAcked", "bytesReceived", "pid", "process", "containerId", "netnsInode", "rttVarMicros",
                    "minRttMicros", "ssthresh", "mss", "lost", "bytesSent", "segsIn", "segsOut", "deliveryRateBps",
                    "pacingRateBps", "sendQueueBytes", "recvQueueBytes", "uid", "inode", "commandLine");
            names.forEach(n -> assertThat(fromClient.has(n)).as(n).isTrue());
        });
    }

    @Test
    void tableHasAHeaderAndOneRowPerSocket() {
        CliRun run = CliRun.of("--once", "--own-namespace", "--port", port());
        assertThat(run.exitCode()).isZero();
        List<String> lines = run.out().lines().toList();
        assertThat(lines.get(0)).startsWith("STATE").contains("RTT_US", "PROCESS", "CONTAINER", "NETNS");
        assertThat(lines).hasSize(3);
        assertThat(lines.get(1)).startsWith("ESTABLISHED").contains("java");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "--port 9001-9000|tcp-stats: --port '9001-9000': port range must be N or A-B with 0 <= A <= B <= 65535, got 9001-9000",
        "--port abc|tcp-stats: --port must be N or A-B (e.g. 9000-9001), got 'abc'",
        "--port 70000|tcp-stats: --port '70000': port range must be N or A-B with 0 <= A <= B <= 65535, got 70000-70000",
        "--state HALF-OPEN|tcp-stats: --state 'HALF-OPEN' is not a TCP state; use one of ESTABLISHED, SYN-SENT, SYN-RECV, FIN-WAIT-1, FIN-WAIT-2, TIME-WAIT, CLOSE, CLOSE-WAIT, LAST-ACK, LISTEN, CLOSING",
        "--format xml|tcp-stats: --format must be json or table, got 'xml'",
        "--netns abc|tcp-stats: --netns must be a namespace inode such as 4026531840 or net:[4026531840], got 'abc'",
        "--interval 1|tcp-stats: --interval applies only without --once",
        "--container 0123456789abcdef|tcp-stats: unknown container id '0123456789abcdef': no process on this host runs in it"
    })
    void badInputGivesOneClearLineAndExitCode1(String args, String message) {
        String[] argv = ("--once --own-namespace " + args).split(" ");
        CliRun run = CliRun.of(argv);
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err().lines().toList()).singleElement().asString().startsWith(message);
    }

    @Test
    void withoutOnceItPollsEveryInterval() {
        CliRun run = CliRun.of("--own-namespace", "--count", "--port", port(), "--interval", "0.2", "--polls", "2");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out().lines().toList()).containsExactly("2", "2");
    }
}
