package dev.fluxtap.standalone;

import dev.fluxtap.agent.Agent;
import dev.fluxtap.agent.capture.CaptureException;
import dev.fluxtap.agent.capture.PacketSource;
import dev.fluxtap.agent.capture.Pcap4jPacketSource;
import dev.fluxtap.agent.capture.PcapFilePacketSource;
import dev.fluxtap.agent.config.AgentConfig;
import dev.fluxtap.agent.config.CaptureConfig;
import dev.fluxtap.agent.config.HostNames;
import dev.fluxtap.agent.config.OpsConfig;
import dev.fluxtap.agent.config.PublishConfig;
import dev.fluxtap.agent.config.ReplaySpeed;
import dev.fluxtap.agent.publish.KafkaRecordSink;
import dev.fluxtap.agent.tcpstats.TcpStatsConfig;
import dev.fluxtap.aggregator.AggregatorApp;
import dev.fluxtap.aggregator.config.AggregatorConfig;
import dev.fluxtap.aggregator.config.HttpConfig;
import dev.fluxtap.aggregator.config.KafkaConfig;
import dev.fluxtap.kafka.embedded.EmbeddedKafkaBroker;
import dev.fluxtap.kafka.embedded.EmbeddedKafkaConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.scheduler.Schedulers;

/**
 * The whole system in one process: the embedded broker, then the aggregator, then the local agent; stopped in the
 * reverse order. The agent's capture excludes the process's own Kafka and HTTP ports, so a loopback capture does not
 * watch itself. Without permission to capture, it replays a bundled sample capture in a loop instead.
 */
public final class Standalone implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Standalone.class);
    static final String SAMPLE = "/dev/fluxtap/standalone/sample.pcap";

    private final StandaloneConfig config;
    private EmbeddedKafkaBroker broker;
    private AggregatorApp aggregator;
    private Agent agent;
    private boolean replayingSample;
    private Path sampleFile;

    private Standalone(StandaloneConfig config) {
        this.config = config;
    }

    /** Starts everything; on failure stops what was started and rethrows. */
    public static Standalone start(StandaloneConfig config) throws CaptureException, IOException {
        Standalone s = new Standalone(config);
        try {
            s.startAll();
            return s;
        } catch (CaptureException | IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private void startAll() throws CaptureException, IOException {
        EmbeddedKafkaConfig kafka = EmbeddedKafkaConfig.defaults()
                .withPort(config.kafkaPort())
                .withHosts(config.kafkaListenHost(), config.advertisedHost());
        if (config.dataDir().isPresent()) {
            kafka = kafka.withDataDir(config.dataDir().get());
        }
        broker = new EmbeddedKafkaBroker(kafka).start();

        AggregatorConfig defaults = AggregatorConfig.defaults();
        aggregator = AggregatorApp.start(defaults
                .withKafka(KafkaConfig.defaults().withBootstrapServers(broker.bootstrapServers()))
                .withHttp(new HttpConfig(config.httpHost(), config.httpPort(), config.authTokenFile(), defaults.http().maxConnections())));

        if (!config.pcapFiles().isEmpty()) {
            agent = startAgent(replay(config.pcapFiles(), config.pcapLoop()));
        } else {
            try {
                agent = startAgent(live());
            } catch (CaptureException e) {
                if (e.kind() != CaptureException.Kind.NO_PERMISSION) {
                    throw e;
                }
                log.warn("cannot capture on {} ({}); replaying the bundled sample capture in a loop instead",
                        String.join(",", config.interfaces()), e.getMessage());
                sampleFile = extractSample();
                replayingSample = true;
                agent = startAgent(replay(List.of(sampleFile), true));
            }
        }
    }

    private CaptureConfig live() {
        CaptureConfig d = CaptureConfig.defaults();
        return new CaptureConfig(config.interfaces(), List.of(), d.pcapSpeed(), false, ownTrafficFilter(), d.snaplen(), config.bufferBytes(),
                d.immediateMode(), d.promiscuous());
    }

    private static CaptureConfig replay(List<Path> files, boolean loop) {
        CaptureConfig d = CaptureConfig.defaults();
        // A loop plays in real time, so it looks live; a single pass goes as fast as it can.
        return new CaptureConfig(List.of(), files, loop ? ReplaySpeed.REALTIME : ReplaySpeed.MAX, loop, "", d.snaplen(), d.bufferBytes(),
                d.immediateMode(), d.promiscuous());
    }

    /** BPF that keeps this process's own broker, controller and HTTP traffic out of its capture. */
    String ownTrafficFilter() {
        return "not (tcp port " + broker.port() + " or tcp port " + broker.controllerPort() + " or tcp port " + aggregator.httpPort() + ")";
    }

    private Agent startAgent(CaptureConfig capture) throws CaptureException, IOException {
        PublishConfig publish = PublishConfig.defaults().withBootstrapServers(broker.bootstrapServers());
        OpsConfig noListener = new OpsConfig("127.0.0.1", -1, -1, Optional.empty(), Optional.empty(), Optional.empty(),
                OpsConfig.defaults().statusInterval());
        // Live capture reports this host's TCP connections too; a replay describes another network, so it does not.
        Optional<TcpStatsConfig> tcpStats = capture.isReplay() ? Optional.empty() : Optional.of(TcpStatsConfig.defaults());
        AgentConfig agentConfig = new AgentConfig(HostNames.local(), capture, publish, noListener, tcpStats);
        PacketSource source = capture.isReplay()
                ? new PcapFilePacketSource(capture.pcapFiles(), capture.pcapSpeed(), capture.pcapLoop())
                : new Pcap4jPacketSource(capture);
        Agent started = new Agent(agentConfig, source, new KafkaRecordSink(publish, agentConfig.agentId(), Map.of()), Clock.systemUTC(),
                Schedulers.newSingle("fluxtap-agent-status", true), StandaloneMain.version());
        started.start();
        return started;
    }

    private static Path extractSample() throws IOException {
        Path file = Files.createTempFile("fluxtap-sample-", ".pcap");
        file.toFile().deleteOnExit();
        try (InputStream in = Standalone.class.getResourceAsStream(SAMPLE)) {
            if (in == null) {
                throw new IOException("the bundled sample capture " + SAMPLE + " is missing from the jar");
            }
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        }
        return file;
    }

    public int httpPort() {
        return aggregator.httpPort();
    }

    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    public boolean replayingSample() {
        return replayingSample;
    }

    /** Agent, then aggregator (flushes exports, commits offsets), then broker. Idempotent. */
    @Override
    public synchronized void close() {
        if (agent != null) {
            agent.stop();
            agent = null;
        }
        if (aggregator != null) {
            aggregator.close();
            aggregator = null;
        }
        if (broker != null) {
            broker.close();
            broker = null;
        }
        if (sampleFile != null) {
            try {
                Files.deleteIfExists(sampleFile);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            sampleFile = null;
        }
    }
}
