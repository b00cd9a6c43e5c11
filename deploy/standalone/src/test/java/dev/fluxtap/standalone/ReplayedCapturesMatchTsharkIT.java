package dev.fluxtap.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * End to end: the standalone jar, started as its own process, replays a real capture through its agent, its embedded
 * broker and its aggregator; the flows its REST API reports must equal, per flow and direction, what tshark counts in
 * the same capture (oracle/*.flows.csv, made by oracle/flows.sh). Flows split by an idle timeout are summed per
 * 5-tuple and direction, as tshark does not split them.
 */
class ReplayedCapturesMatchTsharkIT {

    @ParameterizedTest
    @ValueSource(strings = {"mptcp-v0.pcap", "resp_1_benchmark.pcap", "ssh.pcap", "afs.pcap", "babel_rfc6126bis.pcap",
            "quic_handshake.pcap", "bgp-role.pcapng"})
    void flowsOverRestEqualTheIndependentDissector(String capture) throws Exception {
        Path file = resource("pcaps/" + capture);
        Map<String, String> expected = oracle(capture);

        try (StandaloneProcess standalone = StandaloneProcess.start(Path.of("target", "it-logs", capture + ".log"), List.of(),
                "--pcap", file.toString())) {
            await("flows of " + capture + " equal tshark's").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .untilAsserted(() -> assertThat(observed(standalone)).isEqualTo(expected));
            JsonNode agent = standalone.getJson("/api/v1/agents").get("agents").get(0);
            assertThat(agent.get("lostBatches").asLong()).as("sequence gaps").isZero();
            assertThat(agent.get("agentBatchesLost").asLong()).as("batches the agent gave up").isZero();

            assertThat(standalone.stop()).as("exit code after SIGTERM").isIn(0, 143);
            assertThat(standalone.output()).contains("fluxtap-agent stopped").contains("embedded Kafka broker").doesNotContain("Exception");
        }
    }

    /** key "proto src:port > dst:port" (oracle orientation) → fwd packets, fwd bytes, rev packets, rev bytes. */
    private static Map<String, String> oracle(String capture) throws IOException {
        Map<String, long[]> rows = new TreeMap<>();
        String csv = new String(resourceBytes("oracle/" + capture + ".flows.csv"), StandardCharsets.UTF_8);
        csv.lines().skip(1).forEach(line -> {
            String[] f = line.split(",");
            rows.put(key(f[0], f[1], f[2], f[3], f[4]), new long[] {Long.parseLong(f[5]), Long.parseLong(f[6]), Long.parseLong(f[7]),
                    Long.parseLong(f[8])});
        });
        return view(rows);
    }

    private static Map<String, String> observed(StandaloneProcess standalone) throws Exception {
        JsonNode flows = standalone.getJson("/api/v1/flows?limit=10000").get("flows");
        Map<String, long[]> sums = new TreeMap<>();
        for (JsonNode flow : flows) {
            String src = canonicalIp(flow.get("srcIp").asText());
            String dst = canonicalIp(flow.get("dstIp").asText());
            String proto = flow.get("protocol").asText();
            String forward = key(proto, src, flow.get("srcPort").asText(), dst, flow.get("dstPort").asText());
            long[] c = {flow.get("fwdPackets").asLong(), flow.get("fwdBytes").asLong(), flow.get("revPackets").asLong(), flow.get("revBytes").asLong()};
            sums.merge(forward, c, ReplayedCapturesMatchTsharkIT::add);
        }
        return view(sums);
    }

    /** Orients rows lower key first and renders the counters as text, so maps compare and print readably. */
    private static Map<String, String> view(Map<String, long[]> rows) {
        Map<String, long[]> oriented = new TreeMap<>();
        rows.forEach((k, v) -> {
            String[] p = k.split(" ");
            String reverse = p[0] + " " + p[3] + " > " + p[1];
            if (k.compareTo(reverse) <= 0) {
                oriented.merge(k, v, ReplayedCapturesMatchTsharkIT::add);
            } else {
                oriented.merge(reverse, new long[] {v[2], v[3], v[0], v[1]}, ReplayedCapturesMatchTsharkIT::add);
            }
        });
        Map<String, String> text = new TreeMap<>();
        oriented.forEach((k, v) -> text.put(k, "fwd " + v[0] + " pkts " + v[1] + " B, rev " + v[2] + " pkts " + v[3] + " B"));
        return text;
    }

    private static String key(String proto, String src, String srcPort, String dst, String dstPort) {
        return proto + " " + canonicalIp(src) + ":" + srcPort + " > " + canonicalIp(dst) + ":" + dstPort;
    }

    private static String canonicalIp(String ip) {
        try {
            return InetAddress.getByName(ip).getHostAddress();
        } catch (IOException e) {
            throw new IllegalArgumentException("not an IP literal: " + ip, e);
        }
    }

    private static long[] add(long[] a, long[] b) {
        return new long[] {a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3]};
    }

    static Path resource(String name) throws URISyntaxException {
        return Path.of(ReplayedCapturesMatchTsharkIT.class.getClassLoader().getResource(name).toURI());
    }

    private static byte[] resourceBytes(String name) throws IOException {
        try (InputStream in = ReplayedCapturesMatchTsharkIT.class.getClassLoader().getResourceAsStream(name)) {
            return in.readAllBytes();
        }
    }
}
