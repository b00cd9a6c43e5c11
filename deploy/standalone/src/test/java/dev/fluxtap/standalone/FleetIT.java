package dev.fluxtap.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fluxtap.aggregator.AggregatorApp;
import dev.fluxtap.aggregator.config.AggregatorConfig;
import dev.fluxtap.aggregator.config.HttpConfig;
import dev.fluxtap.aggregator.config.KafkaConfig;
import dev.fluxtap.kafka.embedded.EmbeddedKafkaBroker;
import dev.fluxtap.kafka.embedded.EmbeddedKafkaConfig;
import dev.fluxtap.standalone.FleetNetwork.Host;
import dev.fluxtap.standalone.TcpdumpFlows.Count;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A fleet on one machine: three hosts, each a network namespace attached by a veth pair to a bridge the test creates,
 * each running the packaged agent on its own veth; the broker and the aggregator run in this JVM on the bridge address.
 * Real traffic runs between the hosts (TCP 1→2, UDP 2→3, ICMP echo 1→3) and from host 3 to the bridge address, while
 * tcpdump records every veth with the agents' filter. The flows the aggregator serves must equal, per flow, direction and
 * observer, what tcpdump's files count: a flow between two monitored hosts is one flow with those two agents as observers,
 * each observer's packets and IP bytes equal its host's capture, and the flow's totals are the maximum over observers.
 * See "Fleet test" in docs/RELIABILITY.md.
 */
class FleetIT {

    private static final int HOSTS = 3;
    private static final int OPS_PORT = 9100;
    private static final int TCP_PORT = 47001;
    private static final int UDP_PORT = 47002;
    private static final int TCP_BYTES = 256 * 1024;
    private static final int UDP_DATAGRAMS = 20;
    private static final int UDP_DATAGRAM_BYTES = 1000;
    private static final int PINGS = 5;
    private static final int PING_PAYLOAD = 100;
    private static final int BRIDGE_BYTES = 64 * 1024;
    private static final Duration AWAIT = Duration.ofSeconds(45);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void flowsBetweenMonitoredHostsAreStitchedAndEqualWhatTcpdumpCounts() throws Exception {
        Path agentJar = agentJar();
        try (FleetNetwork net = FleetNetwork.create(HOSTS);
             EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(EmbeddedKafkaConfig.defaults().withHosts(net.bridgeIp, net.bridgeIp)).start();
             AggregatorApp aggregator = AggregatorApp.start(AggregatorConfig.defaults()
                     .withKafka(KafkaConfig.defaults().withBootstrapServers(broker.bootstrapServers()))
                     .withHttp(new HttpConfig("127.0.0.1", 0, Optional.empty(), 100)))) {
            try {
                Path dir = Files.createDirectories(Path.of("target", "it-logs", "fleet-" + net.suffix).toAbsolutePath());
                // The agents publish by partition: the aggregator creates the topics (6 partitions) before they start.
                await("aggregator ready").atMost(AWAIT).until(aggregator::ready);
                String filter = "ip and not port " + broker.port() + " and not port " + OPS_PORT;

                List<Process> agents = startAgents(net, dir, agentJar, broker.bootstrapServers(), filter);
                List<Process> tcpdumps = startTcpdumps(net, dir, filter);
                sendTraffic(net, dir);
                Map<String, Map<String, Count>> seen = stopTcpdumps(net, dir, tcpdumps);
                assertDesignedTraffic(net, seen);

                Map<String, String> expected = expectedFlows(seen);
                await("the aggregator's flows equal tcpdump's").atMost(AWAIT).pollInterval(Duration.ofMillis(250))
                        .untilAsserted(() -> assertThat(servedFlows(aggregator)).containsExactlyInAnyOrderEntriesOf(expected));
                await("every agent's batches applied, none lost").atMost(AWAIT).pollInterval(Duration.ofMillis(250))
                        .untilAsserted(() -> assertThat(agentSummaries(aggregator)).containsExactlyInAnyOrderEntriesOf(expectedAgentSummaries(seen)));

                stopAgents(net, dir, agents);
                assertThat(agentSummaries(aggregator)).as("after the agents flushed and stopped").containsExactlyInAnyOrderEntriesOf(expectedAgentSummaries(seen));
                assertThat(servedFlows(aggregator)).as("after the agents flushed and stopped").containsExactlyInAnyOrderEntriesOf(expected);
            } finally {
                // On a failure, the agents stop while the broker still runs, so they end quickly and their logs stay readable.
                net.stopProcesses();
            }
        }
    }

    /** One agent per host, capturing its veth; its ops port on the host's address, reached from here over the bridge. */
    private List<Process> startAgents(FleetNetwork net, Path dir, Path agentJar, String bootstrapServers, String filter) throws IOException {
        List<Process> agents = new ArrayList<>();
        for (Host h : net.hosts()) {
            agents.add(net.spawn(h, dir.resolve(h.agentId() + ".log"), javaBinary(), "-Xmx128m", "-XX:+UseSerialGC", "-jar", agentJar.toString(),
                    "run", "--interface", h.veth(), "--bootstrap-servers", bootstrapServers, "--agent-id", h.agentId(), "--filter", filter,
                    "--immediate-mode", "--bind-address", h.ip(), "--http-port", Integer.toString(OPS_PORT), "--tcp-stats=false",
                    "--status-interval", "1s", "--spool-dir", dir.resolve(h.agentId() + "-spool").toString()));
        }
        for (int i = 0; i < agents.size(); i++) {
            Host h = net.hosts().get(i);
            Process agent = agents.get(i);
            await(h.agentId() + " ready (log: " + dir.resolve(h.agentId() + ".log") + ")").atMost(AWAIT).pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        if (!agent.isAlive()) {
                            throw new IllegalStateException(h.agentId() + " exited with " + agent.exitValue());
                        }
                        return status("http://" + h.ip() + ":" + OPS_PORT + "/readiness") == 200;
                    });
        }
        return agents;
    }

    /**
     * tcpdump on every veth with the agents' filter. Headers only (-s 128) and an 8 MiB ring: with the default 256 KiB
     * snapshot, libpcap's ring has only a few blocks and a burst of TCP segments overflows it.
     */
    private static List<Process> startTcpdumps(FleetNetwork net, Path dir, String filter) throws IOException {
        List<Process> tcpdumps = new ArrayList<>();
        for (Host h : net.hosts()) {
            Path log = dir.resolve(h.agentId() + ".tcpdump.log");
            tcpdumps.add(net.spawn(h, log, "tcpdump", "-i", h.veth(), "-nn", "-s", "128", "-B", "8192", "--immediate-mode", "-U", "-Z", "root",
                    "-w", dir.resolve(h.agentId() + ".pcap").toString(), filter));
            awaitLine(log, "listening on");
        }
        return tcpdumps;
    }

    /** Stops tcpdump (after the end markers are in its file: nothing is left in its ring) and counts its file. */
    private static Map<String, Map<String, Count>> stopTcpdumps(FleetNetwork net, Path dir, List<Process> tcpdumps) throws Exception {
        Map<String, Map<String, Count>> seen = new TreeMap<>();
        for (int i = 0; i < tcpdumps.size(); i++) {
            Host h = net.hosts().get(i);
            Process tcpdump = tcpdumps.get(i);
            tcpdump.destroy();
            assertThat(tcpdump.waitFor(30, TimeUnit.SECONDS)).as("tcpdump stops on SIGTERM").isTrue();
            assertThat(Files.readString(dir.resolve(h.agentId() + ".tcpdump.log"))).as("tcpdump on " + h.agentId() + " lost nothing")
                    .containsPattern("(?m)^(\\d+) packets captured\\n\\1 packets received by filter\\n0 packets dropped by kernel$");
            seen.put(h.agentId(), TcpdumpFlows.read(dir.resolve(h.agentId() + ".pcap")));
        }
        return seen;
    }

    /** SIGTERM: each agent flushes what it captured and exits cleanly. */
    private static void stopAgents(FleetNetwork net, Path dir, List<Process> agents) throws Exception {
        for (Process agent : agents) {
            agent.destroy();
        }
        for (int i = 0; i < agents.size(); i++) {
            String id = net.hosts().get(i).agentId();
            Process agent = agents.get(i);
            assertThat(agent.waitFor(60, TimeUnit.SECONDS)).as(id + " stops within 60 s of SIGTERM").isTrue();
            assertThat(agent.exitValue()).as("exit code of " + id + " after SIGTERM").isIn(0, 143);
            assertThat(Files.readString(dir.resolve(id + ".log"))).as("log of " + id).contains("fluxtap-agent stopped").doesNotContain("Exception");
        }
    }

    /**
     * TCP 1→2 and TCP 3→bridge with known volumes, UDP 2→3 datagrams, ICMP echo 1→3, each checked at its receiver; then,
     * once every TCP connection is closed, an end marker datagram from every host to the bridge address, awaited in
     * every tcpdump file, so that each capture holds all the traffic when tcpdump is stopped.
     */
    private static void sendTraffic(FleetNetwork net, Path dir) throws Exception {
        Host h1 = net.host(1);
        Host h2 = net.host(2);
        Host h3 = net.host(3);
        Random random = new Random(42);
        Path tcpPayload = payload(dir.resolve("tcp.bin"), TCP_BYTES, random);
        Path udpPayload = payload(dir.resolve("udp.bin"), UDP_DATAGRAMS * UDP_DATAGRAM_BYTES, random);
        Path bridgePayload = payload(dir.resolve("bridge.bin"), BRIDGE_BYTES, random);

        Path tcpReceived = dir.resolve("tcp.received");
        Path tcpListenerLog = dir.resolve("tcp-listener.log");
        Process tcpListener = net.spawn(h2, tcpListenerLog, "socat", "-d", "-d", "-u", "TCP4-LISTEN:" + TCP_PORT + ",bind=" + h2.ip() + ",reuseaddr",
                "CREATE:" + tcpReceived);
        Path udpReceived = dir.resolve("udp.received");
        Path udpReceiverLog = dir.resolve("udp-receiver.log");
        Process udpReceiver = net.spawn(h3, udpReceiverLog, "socat", "-d", "-d", "-u", "UDP4-RECV:" + UDP_PORT + ",bind=" + h3.ip(),
                "CREATE:" + udpReceived);
        awaitLine(tcpListenerLog, "listening on");
        awaitLine(udpReceiverLog, "starting data transfer loop");

        InetAddress bridge = InetAddress.getByName(net.bridgeIp);
        try (ServerSocket bridgeServer = new ServerSocket(0, 1, bridge); DatagramSocket markerSink = new DatagramSocket(0, bridge)) {
            CompletableFuture<Long> bridgeReceived = CompletableFuture.supplyAsync(() -> drain(bridgeServer));

            net.exec(h1, "socat", "-u", "OPEN:" + tcpPayload, "TCP4:" + h2.ip() + ":" + TCP_PORT);
            net.exec(h2, "socat", "-u", "-b", Integer.toString(UDP_DATAGRAM_BYTES), "OPEN:" + udpPayload, "UDP4-SENDTO:" + h3.ip() + ":" + UDP_PORT);
            net.exec(h1, "ping", "-n", "-q", "-c", Integer.toString(PINGS), "-i", "0.05", "-s", Integer.toString(PING_PAYLOAD), h3.ip());
            net.exec(h3, "socat", "-u", "OPEN:" + bridgePayload, "TCP4:" + net.bridgeIp + ":" + bridgeServer.getLocalPort());

            assertThat(bridgeReceived.get(30, TimeUnit.SECONDS)).as("bytes the bridge address received from host-3").isEqualTo(BRIDGE_BYTES);
            assertThat(tcpListener.waitFor(30, TimeUnit.SECONDS)).as("TCP receiver ends with the connection").isTrue();
            assertThat(Files.size(tcpReceived)).as("bytes host-2 received from host-1").isEqualTo(TCP_BYTES);
            await("UDP datagrams at host-3").atMost(AWAIT).until(() -> Files.size(udpReceived) == (long) UDP_DATAGRAMS * UDP_DATAGRAM_BYTES);
            udpReceiver.destroy();
            assertThat(udpReceiver.waitFor(30, TimeUnit.SECONDS)).isTrue();

            String connections = "( sport = :" + TCP_PORT + " or dport = :" + TCP_PORT + " or dport = :" + bridgeServer.getLocalPort() + " )";
            for (Host h : net.hosts()) {
                // Closed, or TIME-WAIT: the last ACK has left the host; no segment of these connections is still to come.
                await("TCP connections of " + h.agentId() + " closed").atMost(AWAIT).pollInterval(Duration.ofMillis(100))
                        .until(() -> net.exec(h, "ss", "-tanH", "state", "all", connections).lines().allMatch(l -> l.startsWith("TIME-WAIT")));
            }
            for (Host h : net.hosts()) {
                Path marker = Files.writeString(dir.resolve(h.agentId() + ".marker"), endMarker(net, h));
                net.exec(h, "socat", "-u", "OPEN:" + marker, "UDP4-SENDTO:" + net.bridgeIp + ":" + markerSink.getLocalPort());
            }
            for (Host h : net.hosts()) {
                byte[] marker = endMarker(net, h).getBytes(StandardCharsets.US_ASCII);
                await("end marker in the capture of " + h.agentId()).atMost(AWAIT).pollInterval(Duration.ofMillis(50))
                        .until(() -> indexOf(Files.readAllBytes(dir.resolve(h.agentId() + ".pcap")), marker) >= 0);
            }
        }
    }

    private static String endMarker(FleetNetwork net, Host h) {
        return "fluxtap-fleet-" + net.suffix + "-end-of-" + h.agentId();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** The traffic sent is in the captures, observed where the topology says (guards against a vacuous comparison). */
    private static void assertDesignedTraffic(FleetNetwork net, Map<String, Map<String, Count>> seen) {
        String h1 = net.host(1).ip();
        String h2 = net.host(2).ip();
        String h3 = net.host(3).ip();
        Map<String, List<String>> observers = new TreeMap<>();
        seen.forEach((host, flows) -> flows.keySet().forEach(k -> observers.computeIfAbsent(k, x -> new ArrayList<>()).add(host)));
        assertThat(observers).as("flows in the captures: 4 of the traffic, 3 end markers").hasSize(7);

        String tcp = flowBetween(observers, 6, h1, h2);
        String udp = flowBetween(observers, 17, h2, h3);
        String ping = flowBetween(observers, 1, h1, h3);
        String toBridge = flowBetween(observers, 6, h3, net.bridgeIp);
        assertThat(observers.get(tcp)).as("captures of TCP host-1 → host-2").containsExactly("host-1", "host-2");
        assertThat(observers.get(udp)).as("captures of UDP host-2 → host-3").containsExactly("host-2", "host-3");
        assertThat(observers.get(ping)).as("captures of ICMP echo host-1 → host-3").containsExactly("host-1", "host-3");
        assertThat(observers.get(toBridge)).as("captures of TCP host-3 → bridge").containsExactly("host-3");
        for (Host h : net.hosts()) {
            assertThat(observers.get(flowBetween(observers, 17, h.ip(), net.bridgeIp))).as("captures of the end marker of " + h.agentId())
                    .containsExactly(h.agentId());
        }

        assertThat(seen.get("host-1").get(tcp).abBytes()).as("IP bytes host-1 → host-2 include the payload").isGreaterThan(TCP_BYTES);
        assertThat(seen.get("host-3").get(toBridge)).as("TCP host-3 → bridge").satisfiesAnyOf(
                c -> assertThat(c.abBytes()).isGreaterThan(BRIDGE_BYTES), c -> assertThat(c.baBytes()).isGreaterThan(BRIDGE_BYTES));
        assertThat(seen.get("host-3").get(udp)).as("UDP host-2 → host-3")
                .isEqualTo(new Count(UDP_DATAGRAMS, UDP_DATAGRAMS * (UDP_DATAGRAM_BYTES + 28L), 0, 0));
        assertThat(seen.get("host-3").get(ping)).as("ICMP echo host-1 → host-3")
                .isEqualTo(new Count(PINGS, PINGS * (PING_PAYLOAD + 28L), PINGS, PINGS * (PING_PAYLOAD + 28L)));
    }

    /** The one flow key of this protocol between these two addresses. */
    private static String flowBetween(Map<String, ?> flows, int protocol, String ip1, String ip2) {
        List<String> keys = flows.keySet().stream().filter(k -> {
            String[] p = k.split(" ");
            String a = p[1].substring(0, p[1].lastIndexOf(':'));
            String b = p[3].substring(0, p[3].lastIndexOf(':'));
            return p[0].equals(Integer.toString(protocol)) && (a.equals(ip1) && b.equals(ip2) || a.equals(ip2) && b.equals(ip1));
        }).toList();
        assertThat(keys).as("flows of protocol " + protocol + " between " + ip1 + " and " + ip2 + " in " + flows.keySet()).hasSize(1);
        return keys.get(0);
    }

    /** Per flow: the max over the captures per direction, and each capturing host's own count as an observer. */
    private static Map<String, String> expectedFlows(Map<String, Map<String, Count>> seen) {
        Map<String, Map<String, Count>> byFlow = new TreeMap<>();
        seen.forEach((host, flows) -> flows.forEach((key, count) -> byFlow.computeIfAbsent(key, k -> new TreeMap<>()).put(host, count)));
        Map<String, String> view = new TreeMap<>();
        byFlow.forEach((key, observers) -> view.put(key, describe(observers.values().stream().reduce(Count.ZERO, Count::max), observers)));
        return view;
    }

    /** The same view of /api/v1/flows: totals and observers re-oriented from fwd/rev (src = initiator) to a/b. */
    private Map<String, String> servedFlows(AggregatorApp aggregator) throws IOException, InterruptedException {
        Map<String, String> view = new TreeMap<>();
        for (JsonNode f : getJson(aggregator, "/api/v1/flows?limit=10000").get("flows")) {
            String src = f.get("srcIp").asText() + ":" + f.get("srcPort").asInt();
            String dst = f.get("dstIp").asText() + ":" + f.get("dstPort").asInt();
            boolean srcIsA = src.compareTo(dst) <= 0;
            Map<String, Count> observers = new TreeMap<>();
            for (JsonNode o : f.get("observers")) {
                observers.put(o.get("agentId").asText(), oriented(o, srcIsA));
            }
            String key = TcpdumpFlows.key(f.get("protocol").asInt(), src, dst);
            if (view.put(key, describe(oriented(f, srcIsA), observers)) != null) {
                view.put(key, "split into more than one flow");
            }
        }
        return view;
    }

    private static Count oriented(JsonNode n, boolean srcIsA) {
        long fp = n.get("fwdPackets").asLong();
        long fb = n.get("fwdBytes").asLong();
        long rp = n.get("revPackets").asLong();
        long rb = n.get("revBytes").asLong();
        return srcIsA ? new Count(fp, fb, rp, rb) : new Count(rp, rb, fp, fb);
    }

    private static String describe(Count total, Map<String, Count> observers) {
        StringBuilder s = new StringBuilder("total ").append(total);
        observers.forEach((agent, c) -> s.append(" | ").append(agent).append(": ").append(c));
        return s.toString();
    }

    /** agent → "summaries N, lost batches 0, ...": the packets its tcpdump saw and no loss of any kind. */
    private static Map<String, String> expectedAgentSummaries(Map<String, Map<String, Count>> seen) {
        Map<String, String> view = new TreeMap<>();
        seen.forEach((host, flows) -> view.put(host, agentLine(flows.values().stream().mapToLong(c -> c.abPackets() + c.baPackets()).sum(), 0, 0, 0, 0)));
        return view;
    }

    private Map<String, String> agentSummaries(AggregatorApp aggregator) throws IOException, InterruptedException {
        Map<String, String> view = new TreeMap<>();
        for (JsonNode a : getJson(aggregator, "/api/v1/agents").get("agents")) {
            view.put(a.get("agentId").asText(), agentLine(a.get("summariesReceived").asLong(), a.get("lostBatches").asLong(),
                    a.get("agentBatchesLost").asLong(), a.get("queueDrops").asLong(), a.get("kernelDrops").asLong()));
        }
        return view;
    }

    private static String agentLine(long summaries, long lostBatches, long agentBatchesLost, long queueDrops, long kernelDrops) {
        return "summaries " + summaries + ", sequence gaps " + lostBatches + ", batches the agent gave up " + agentBatchesLost + ", queue drops "
                + queueDrops + ", kernel drops " + kernelDrops;
    }

    private JsonNode getJson(AggregatorApp aggregator, String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + aggregator.httpPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("GET " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    private int status(String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static void awaitLine(Path log, String text) {
        await("'" + text + "' in " + log).atMost(AWAIT).pollInterval(Duration.ofMillis(50))
                .until(() -> Files.exists(log) && Files.readString(log).contains(text));
    }

    private static Path payload(Path file, int size, Random random) throws IOException {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        return Files.write(file, bytes);
    }

    private static long drain(ServerSocket server) {
        try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
            return in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw new IllegalStateException("bridge listener failed", e);
        }
    }

    private static Path agentJar() {
        Path jar = Path.of(System.getProperty("fluxtap.agent.jar", "../../agent/target/fluxtap-agent.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar.toAbsolutePath() + " is missing: build the agent first (./mvnw -pl deploy/standalone -am verify)");
        }
        return jar.toAbsolutePath();
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
