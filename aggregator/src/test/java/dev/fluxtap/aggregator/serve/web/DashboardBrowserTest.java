package dev.fluxtap.aggregator.serve.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fluxtap.aggregator.AggregatorApp;
import dev.fluxtap.aggregator.config.AggregatorConfig;
import dev.fluxtap.aggregator.config.ClusterConfig;
import dev.fluxtap.aggregator.config.HttpConfig;
import dev.fluxtap.aggregator.config.KafkaConfig;
import dev.fluxtap.aggregator.testing.AgentFixture;
import dev.fluxtap.aggregator.testing.EmptyPartials;
import dev.fluxtap.aggregator.testing.Packets;
import dev.fluxtap.aggregator.testing.Packets.Pkt;
import dev.fluxtap.aggregator.testing.PcapReader;
import dev.fluxtap.kafka.testing.KafkaBroker;
import dev.fluxtap.kafka.testing.KafkaBrokerExtension;
import dev.fluxtap.schemas.AvroCodec;
import dev.fluxtap.schemas.FluxtapSchemas;
import dev.fluxtap.schemas.Topics;
import dev.fluxtap.schemas.avro.AggregatePartial;
import dev.fluxtap.schemas.avro.TcpConnection;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.chromium.ChromiumNetworkConditions;

/**
 * Debian's chromium, headless, against an in-process aggregator on a real broker, fed by replaying a real capture (the
 * standalone mode's sample: HTTP, a database-like service, DNS-like UDP, a bulk transfer and pings between five hosts).
 * Skips with a reason when chromium or chromium-driver is missing; CI installs both.
 */
@ExtendWith(KafkaBrokerExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardBrowserTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final int PARTITIONS = 6;
    private static final int LOOPS = 14;
    private static final long LOOP_SPACING_MICROS = 15_000_000L;
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** The README shows these (the test runs in the module directory). */
    /** The README's screenshots are refreshed on request (-Dfluxtap.screenshots=docs), so a test run leaves the tree clean. */
    private static final Path README_IMAGES = "docs".equals(System.getProperty("fluxtap.screenshots"))
            ? Path.of("..", "docs", "img") : Path.of("target", "screenshots");

    private AggregatorApp app;
    private KafkaBroker broker;
    private ChromeDriverService service;
    private ChromeDriver browser;
    private Path profile;

    @BeforeAll
    void start(KafkaBroker kafka) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "browser test skipped: " + CHROMIUM + " and " + CHROMEDRIVER + " are needed (apt-get install chromium chromium-driver; CI installs them)");
        broker = kafka;
        app = AggregatorApp.start(AggregatorConfig.defaults()
                .withKafka(KafkaConfig.defaults().withBootstrapServers(kafka.bootstrapServers()))
                .withHttp(new HttpConfig("127.0.0.1", 0, Optional.empty(), 100)));
        replaySample();

        // Never let Selenium Manager look for (or download) a driver or a browser: both are given explicitly.
        System.setProperty("SE_OFFLINE", "true");
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
        profile = Files.createTempDirectory("fluxtap-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--user-data-dir=" + profile,
                "--window-size=1440,1150", "--force-device-scale-factor=1", "--hide-scrollbars", "--lang=en-US");
        service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort()
                .withEnvironment(Map.of("SE_OFFLINE", "true")).build();
        browser = new ChromeDriver(service, options);
        browser.manage().timeouts().scriptTimeout(Duration.ofSeconds(20));
    }

    @AfterAll
    void stop() throws IOException {
        if (browser != null) {
            browser.quit();
        }
        if (service != null) {
            service.stop();
        }
        if (app != null) {
            app.close();
        }
        if (profile != null) {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }

    /**
     * The capture replayed {@value #LOOPS} times back to back, 15 s apart and ending now (as the standalone mode loops it),
     * so the history has points; the agent's heartbeat; and TCP stats of the two servers built from the capture's own
     * connections (the processes are those that generated the capture: see deploy/standalone/sample/make-sample.sh).
     */
    private void replaySample() throws IOException {
        List<Pkt> capture;
        try (InputStream in = DashboardBrowserTest.class.getResourceAsStream("/pcaps/sample.pcap")) {
            capture = PcapReader.read(in);
        }
        long first = capture.get(0).tsMicros();
        long last = capture.get(capture.size() - 1).tsMicros();
        long end = System.currentTimeMillis() * 1000 - 2_000_000L;
        List<Pkt> replay = new ArrayList<>(capture.size() * LOOPS);
        for (int loop = 0; loop < LOOPS; loop++) {
            long shift = end - (last - first) - (LOOPS - 1 - loop) * LOOP_SPACING_MICROS - first;
            for (Pkt p : capture) {
                replay.add(p.at(p.tsMicros() + shift));
            }
        }
        Map<String, String> processByPort = Map.of("80", "python3", "5432", "python3", "5201", "iperf3");
        Map<String, List<TcpConnection>> byServer = new LinkedHashMap<>();
        Map<String, Long> synAt = new HashMap<>();
        for (Pkt p : capture) {
            String key = p.srcIp() + ":" + p.srcPort() + ">" + p.dstIp() + ":" + p.dstPort();
            if (p.protocol() == 6 && p.flags() == Packets.SYN) {
                synAt.put(key, p.tsMicros());
            } else if (p.protocol() == 6 && p.flags() == (Packets.SYN | Packets.ACK)) {
                Long syn = synAt.remove(p.dstIp() + ":" + p.dstPort() + ">" + p.srcIp() + ":" + p.srcPort());
                String process = processByPort.get(Integer.toString(p.srcPort()));
                if (syn != null && process != null) {
                    byServer.computeIfAbsent(p.srcIp(), k -> new ArrayList<>()).add(TcpConnection.newBuilder()
                            .setLocalIp(Packets.address(p.srcIp())).setLocalPort(p.srcPort())
                            .setRemoteIp(Packets.address(p.dstIp())).setRemotePort(p.dstPort()).setState("ESTABLISHED")
                            .setRttMicros(p.tsMicros() - syn).setCwndSegments(10).setPid(100 + p.srcPort() % 97)
                            .setProcessName(process).build());
                }
            }
        }
        byServer.forEach((server, connections) -> {
            try (AgentFixture host = new AgentFixture(broker.bootstrapServers(), "host-" + server, "boot-" + UUID.randomUUID(), PARTITIONS)) {
                host.sendTcpStats(end, connections);
            }
        });
        // after the TCP stats, so that the flows join their sockets as they are built
        try (AgentFixture agent = new AgentFixture(broker.bootstrapServers(), "bridge-tap", "boot-" + UUID.randomUUID(), PARTITIONS)) {
            agent.send(replay, 500);
            agent.sendStatus(System.currentTimeMillis() * 1000, replay.size(), 0, 0);
        }
    }

    private Object js(String script, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(script, args);
    }

    private long number(String script) {
        Object v = js(script);
        return v == null ? -1 : ((Number) v).longValue();
    }

    /** The dashboard re-renders its tables while we read them: an element found a moment ago may be gone, so retry. */
    private static ConditionFactory eventually() {
        return await().atMost(WAIT).ignoreException(StaleElementReferenceException.class);
    }

    private void click(String selector) {
        browser.findElement(By.cssSelector(selector)).click();
    }

    @Test
    void theDashboardShowsTheReplayedCaptureLive() throws IOException, InterruptedException {
        browser.get("http://127.0.0.1:" + app.httpPort() + "/");
        js("localStorage.removeItem('fluxtap.theme')");

        eventually().untilAsserted(() -> {
            assertThat(js("return document.getElementById('conn').dataset.state")).isEqualTo("live");
            assertThat(browser.findElement(By.id("conn-label")).getText()).isEqualTo("live");
        });
        // the views' data came pushed over /ws, not polled: the feed never fell back, counted messages, and the server
        // counted the socket
        assertThat(js("return fluxtap.feed.mode")).isEqualTo("ws");
        eventually().until(() -> number("return fluxtap.feed.messages") > 0);
        assertThat(meter("fluxtap_aggregator_ws_connections_opened_total")).isGreaterThan(0);
        assertThat(meter("fluxtap_aggregator_ws_messages_out_total")).isGreaterThan(0);
        // bandwidth history: several 10 s points of real traffic, read from the Chart.js instance
        eventually().untilAsserted(() -> {
            assertThat(number("return fluxtap.charts.traffic.data.datasets[0].data.filter(p => p.y > 0).length")).isGreaterThanOrEqualTo(5);
            assertThat(number("return fluxtap.charts.traffic.data.datasets[1].data.length")).isGreaterThanOrEqualTo(5);
            assertThat(number("return fluxtap.charts.protocols.data.labels.length")).isGreaterThanOrEqualTo(2);
        });
        assertThat((String) js("return fluxtap.charts.protocols.data.labels.join(',')")).contains("TCP", "UDP");
        eventually().untilAsserted(() -> {
            assertThat(browser.findElements(By.cssSelector("#talkers .talker-row"))).isNotEmpty();
            assertThat(browser.findElement(By.cssSelector("#talkers .talker-key")).getText()).startsWith("10.77.0.");
            assertThat(browser.findElement(By.id("rtt-p50")).getText()).isNotEqualTo("–");
        });
        assertThat((String) js("return fluxtap.feed.subscriptions.get('talkers').key")).contains("\"by\":\"host\"");
        click("#talkers-by button[data-value=port]");
        eventually().untilAsserted(() ->
                assertThat(browser.findElement(By.cssSelector("#talkers .talker-key")).getText()).matches("(TCP|UDP|ICMP) \\d+"));
        assertThat((String) js("return fluxtap.feed.subscriptions.get('talkers').key")).contains("\"by\":\"port\"");
        click("#talkers-by button[data-value=host]");
        eventually().untilAsserted(() ->
                assertThat(browser.findElement(By.cssSelector("#talkers .talker-key")).getText()).startsWith("10.77.0."));
        screenshot("dashboard.png", README_IMAGES);

        // the dark "matrix" theme toggles, is remembered, and survives a reload
        String lightBackground = (String) js("return getComputedStyle(document.body).backgroundColor");
        click("#theme-toggle");
        assertThat(js("return document.documentElement.dataset.theme")).isEqualTo("dark");
        assertThat(js("return localStorage.getItem('fluxtap.theme')")).isEqualTo("dark");
        assertThat(js("return getComputedStyle(document.body).backgroundColor")).isNotEqualTo(lightBackground);
        browser.navigate().refresh();
        assertThat(js("return document.documentElement.dataset.theme")).isEqualTo("dark");
        eventually().untilAsserted(() ->
                assertThat(number("return fluxtap.charts.traffic.data.datasets[0].data.length")).isGreaterThanOrEqualTo(5));
        screenshot("dashboard-matrix.png", README_IMAGES);
        click("#theme-toggle");
        assertThat(js("return document.documentElement.dataset.theme")).isEqualTo("light");

        // flows: a client-side route; rows of the capture's hosts, filtered on the server, sorted on the client
        click(".tabs a[data-view=flows]");
        assertThat(browser.getCurrentUrl()).endsWith("/flows");
        eventually().untilAsserted(() -> {
            List<String> sources = rowTexts("#flows-table", 1);
            assertThat(sources).isNotEmpty().anyMatch(s -> s.startsWith("10.77.0."));
        });
        screenshot("flows.png", Path.of("target", "screenshots"));
        browser.findElement(By.cssSelector("#flow-filters input[name=port]")).sendKeys("5432");
        eventually().untilAsserted(() -> {
            List<String> rows = rowTexts("#flows-table", 2);
            assertThat(rows).isNotEmpty().allMatch(d -> d.endsWith(":5432"));
        });
        assertThat((String) js("return fluxtap.feed.subscriptions.get('flows').key")).contains("\"port\":\"5432\"");
        click("#flow-filters button[type=reset]");
        click("#flows-table .vt-head div:nth-child(6)"); // Bytes, descending
        eventually().untilAsserted(() -> assertThat(rowTexts("#flows-table", 2).get(0)).isEqualTo("10.77.0.10:5201"));
        // a flow that starts now reaches the open table as an update of the same flows subscription, merged by flowId
        String flowsSubscription = (String) js("return fluxtap.feed.subscriptions.get('flows').id");
        try (AgentFixture late = new AgentFixture(broker.bootstrapServers(), "late-tap", "boot-" + UUID.randomUUID(), PARTITIONS)) {
            late.send(List.of(Packets.udp(System.currentTimeMillis() * 1000, "10.66.0.1", 5353, "10.66.0.2", 5353, 40)), 10);
        }
        eventually().until(() -> Boolean.TRUE.equals(js("return fluxtap.flowsTable.sorted.some(f => f.srcIp === '10.66.0.1')")));
        assertThat(js("return fluxtap.feed.subscriptions.get('flows').id")).isEqualTo(flowsSubscription);

        // agents and connections views
        browser.get("http://127.0.0.1:" + app.httpPort() + "/agents");
        eventually().untilAsserted(() -> {
            assertThat(browser.findElement(By.cssSelector("#agents-table tbody")).getText()).contains("bridge-tap", "100.00 %");
        });
        screenshot("agents.png", Path.of("target", "screenshots"));
        click(".tabs a[data-view=connections]");
        eventually().untilAsserted(() -> {
            assertThat(browser.findElement(By.id("conn-by-host")).getText()).contains("host-10.77.0.10");
            assertThat(browser.findElement(By.id("conn-by-port")).getText()).contains("port 80");
            assertThat(rowTexts("#conn-table", 7)).isNotEmpty().allMatch(p -> p.startsWith("python3 (") || p.startsWith("iperf3 ("));
        });
        screenshot("connections.png", Path.of("target", "screenshots"));
    }

    /**
     * Two more instances in a group of their own split the same packets: the dashboard of one shows every flow live over
     * its WebSocket (the cluster's whole answers), not only the flows of its own partitions. Then a third member that
     * does not answer (its partials keep coming, its API is gone, as after a kill): the view says which peer is missing,
     * until that peer's partials stop for the peer timeout.
     */
    @Test
    void inAClusterTheFlowsViewShowsEveryInstancesFlowsAndNamesAPeerThatDoesNotAnswer() throws Exception {
        long all = flowCount(app, "");
        List<AggregatorApp> cluster = new ArrayList<>();
        try {
            for (String id : List.of("dash-a", "dash-b")) {
                cluster.add(AggregatorApp.start(AggregatorConfig.defaults()
                        .withKafka(KafkaConfig.defaults().withBootstrapServers(broker.bootstrapServers()).withGroupId("dashboard-cluster"))
                        .withHttp(new HttpConfig("127.0.0.1", 0, Optional.empty(), 100))
                        .withCluster(ClusterConfig.defaults().withInstanceId(id).withIntervals(Duration.ofMillis(300), Duration.ofSeconds(5)))));
            }
            AggregatorApp shown = cluster.get(0);
            eventually().untilAsserted(() -> {
                assertThat(shown.cluster().members()).as("members (the first instance's group is another cluster)").hasSize(2);
                assertThat(shown.assignedPartitions()).hasSize(PARTITIONS / 2);
                assertThat(flowCount(shown, "")).as("flows of the cluster over REST").isEqualTo(all);
            });
            long own = flowCount(shown, "&scope=local");
            assertThat(own).as("flows of dash-a alone").isPositive().isLessThan(all);

            browser.get("http://127.0.0.1:" + shown.httpPort() + "/flows");
            eventually().untilAsserted(() -> {
                assertThat(js("return fluxtap.feed.mode")).isEqualTo("ws");
                assertThat(number("return fluxtap.flowsTable.sorted.length")).as("flows in the table").isEqualTo(all);
            });
            assertThat(browser.findElement(By.id("flows-incomplete")).isDisplayed()).as("notice of a complete answer").isFalse();

            int closedPort;
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                closedPort = socket.getLocalPort(); // the API of an instance that was killed: nothing listens there now
            }
            ScheduledExecutorService ghost = Executors.newSingleThreadScheduledExecutor();
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers", broker.bootstrapServers()),
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                AvroCodec<AggregatePartial> codec = AvroCodec.of(FluxtapSchemas.AGGREGATE_PARTIAL);
                byte[] key = "dash-ghost".getBytes(StandardCharsets.UTF_8);
                ghost.scheduleAtFixedRate(() -> producer.send(new ProducerRecord<>(Topics.AGGREGATES, key, codec.encode(
                        EmptyPartials.of("dash-ghost", "dashboard-cluster", "http://127.0.0.1:" + closedPort)))),
                        0, 300, TimeUnit.MILLISECONDS);
                eventually().untilAsserted(() -> {
                    assertThat(browser.findElement(By.id("flows-incomplete")).getText()).as("notice").contains("no answer from dash-ghost");
                    assertThat(number("return fluxtap.flowsTable.sorted.length")).as("the other instances' flows, still shown").isEqualTo(all);
                });
            } finally {
                ghost.shutdownNow();
            }
            eventually().untilAsserted(() -> assertThat(browser.findElement(By.id("flows-incomplete")).isDisplayed())
                    .as("notice after the peer timeout").isFalse());
        } finally {
            cluster.forEach(AggregatorApp::close);
        }
    }

    private static long flowCount(AggregatorApp instance, String query) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + instance.httpPort() + "/api/v1/flows?limit=5000" + query)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body()).get("flows").size();
    }

    @Test
    void fiveThousandFlowsKeepOnlyTheVisibleRowsInTheDom() {
        browser.get("http://127.0.0.1:" + app.httpPort() + "/flows");
        eventually().until(() -> number("return fluxtap.flowsTable.sorted.length") > 0);
        // 5,000 synthetic rows given straight to the table, with the live feed paused and idle so it cannot replace them
        js("fluxtap.feed.pause()");
        eventually().until(() -> Boolean.TRUE.equals(js("return fluxtap.feed.tasks.every(t => !t.inFlight)")));
        String measured = (String) ((JavascriptExecutor) browser).executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                const rows = [];
                for (let i = 0; i < 5000; i++) {
                  rows.push({flowId: 'f' + i, protocol: i % 3 ? 6 : 17, srcIp: '10.9.' + (i >> 8) + '.' + (i & 255), srcPort: 40000 + i % 20000,
                    dstIp: '10.8.0.1', dstPort: 443, fwdPackets: i, fwdBytes: i * 100, revPackets: i, revBytes: 5000 * 100 - i * 100,
                    tcpState: 'ESTABLISHED', handshakeRttMicros: i, retransmitsFwd: 0, retransmitsRev: 0, ended: false, agents: ['a'],
                    sockets: [], lastSeen: new Date(1e12 + i * 1000).toISOString()});
                }
                const t = fluxtap.flowsTable;
                const t0 = performance.now();
                t.setRows(rows);
                requestAnimationFrame(() => {
                  const t1 = performance.now();
                  t.sortBy('bytes');
                  requestAnimationFrame(() => {
                    const t2 = performance.now();
                    t.viewport.scrollTop = t.viewport.scrollHeight;
                    requestAnimationFrame(() => done(JSON.stringify({render: t1 - t0, sort: t2 - t1, rows: t.sorted.length,
                      dom: document.querySelectorAll('#flows-table .vt-row:not([hidden])').length})));
                  });
                });
                """);
        System.out.println("dashboard: 5000 flows " + measured + " (ms, headless chromium on this machine; not asserted)");
        assertThat(number("return fluxtap.flowsTable.sorted.length")).isEqualTo(5000);
        long dom = number("return document.querySelectorAll('#flows-table .vt-row:not([hidden])').length");
        assertThat(dom).isBetween(10L, 80L);
        // scrolled to the end: the rows in the DOM are the last ones of the sorted 5,000
        List<String> visible = rowTexts("#flows-table", 1);
        assertThat(visible).contains((String) js("const s = fluxtap.flowsTable.sorted; return s[s.length - 1].srcIp + ':' + s[s.length - 1].srcPort"));
        js("fluxtap.feed.resume()");
    }

    @Test
    void aTokenIsAskedForOn401AndTheIndicatorShowsReconnectingWhileOffline() throws IOException {
        Path tokenFile = Files.createTempFile("fluxtap-token-", ".txt");
        Files.writeString(tokenFile, "s3cret-dashboard-token\n");
        AggregatorApp guarded = AggregatorApp.start(AggregatorConfig.defaults()
                .withKafka(KafkaConfig.defaults().withBootstrapServers(broker.bootstrapServers()).withGroupId("dashboard-auth-" + UUID.randomUUID()))
                .withHttp(new HttpConfig("127.0.0.1", 0, Optional.of(tokenFile), 100)));
        try {
            browser.get("http://127.0.0.1:" + guarded.httpPort() + "/");
            eventually().untilAsserted(() -> {
                assertThat(js("return document.getElementById('token-dialog').open")).isEqualTo(true);
                assertThat(browser.findElement(By.id("conn-label")).getText()).isEqualTo("token required");
            });
            browser.findElement(By.id("token-input")).sendKeys("wrong-token");
            click("#token-form button[type=submit]");
            eventually().untilAsserted(() -> {
                assertThat(js("return document.getElementById('token-dialog').open")).isEqualTo(true);
                assertThat(browser.findElement(By.id("token-error")).isDisplayed()).isTrue();
            });
            browser.findElement(By.id("token-input")).sendKeys("s3cret-dashboard-token");
            click("#token-form button[type=submit]");
            eventually().untilAsserted(() -> {
                assertThat(js("return document.getElementById('conn').dataset.state")).isEqualTo("live");
                assertThat(browser.findElements(By.cssSelector("#talkers .talker-row"))).isNotEmpty();
            });
            assertThat(js("return sessionStorage.getItem('fluxtap.token')")).isEqualTo("s3cret-dashboard-token");
            // the socket was opened with the token as the bearer.<token> subprotocol
            assertThat(js("return fluxtap.feed.mode")).isEqualTo("ws");
            eventually().until(() -> number("return fluxtap.feed.messages") > 0);
            assertThat((String) js("return JSON.stringify(localStorage)")).doesNotContain("s3cret");

            // the network goes away: the indicator says so and counts down to the next attempt; then it recovers
            ChromiumNetworkConditions offline = new ChromiumNetworkConditions();
            offline.setOffline(true);
            browser.setNetworkConditions(offline);
            eventually().untilAsserted(() -> {
                assertThat(js("return document.getElementById('conn').dataset.state")).isIn("reconnecting", "disconnected");
                assertThat(browser.findElement(By.id("conn-label")).getText()).matches("(reconnecting|disconnected) · retry in \\d+ s");
            });
            browser.deleteNetworkConditions();
            js("document.getElementById('conn').click()"); // retry now instead of waiting for the backoff
            eventually().untilAsserted(() ->
                    assertThat(js("return document.getElementById('conn').dataset.state")).isEqualTo("live"));
        } finally {
            guarded.close();
            Files.deleteIfExists(tokenFile);
        }
    }

    @Test
    void withoutAWebSocketThePagePollsTheRestApi() {
        // every socket the page opens goes to a path that is not a WebSocket, so the upgrade fails as a refused one does
        String id = (String) browser.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source",
                "const RealWebSocket = window.WebSocket;"
                + "window.WebSocket = function (url, protocols) { return new RealWebSocket(url.replace(/\\/ws$/, '/no-ws'), protocols); };"))
                .get("identifier");
        try {
            browser.get("http://127.0.0.1:" + app.httpPort() + "/");
            eventually().untilAsserted(() -> {
                assertThat(js("return document.getElementById('conn').dataset.state")).isEqualTo("live");
                assertThat(browser.findElement(By.id("conn-label")).getText()).isEqualTo("live (polling)");
                assertThat(browser.findElements(By.cssSelector("#talkers .talker-row"))).isNotEmpty();
            });
            assertThat(js("return fluxtap.feed.mode")).isEqualTo("polling");
            assertThat(number("return fluxtap.feed.messages")).isZero();
        } finally {
            browser.executeCdpCommand("Page.removeScriptToEvaluateOnNewDocument", Map.of("identifier", id));
        }
    }

    private long meter(String name) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        return response.body().lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    /** The text of one column of the rows currently in the DOM of a virtual table (column index from 0). */
    @SuppressWarnings("unchecked")
    private List<String> rowTexts(String table, int column) {
        return (List<String>) js("return [...document.querySelectorAll(arguments[0] + ' .vt-row:not([hidden])')]"
                + ".sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top)"
                + ".map(r => r.children[arguments[1]].textContent)", table, column);
    }

    private void screenshot(String name, Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.write(dir.resolve(name), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }
}
