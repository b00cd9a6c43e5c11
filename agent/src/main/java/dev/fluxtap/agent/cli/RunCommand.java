package dev.fluxtap.agent.cli;

import dev.fluxtap.agent.Agent;
import dev.fluxtap.agent.capture.CaptureException;
import dev.fluxtap.agent.capture.PacketSource;
import dev.fluxtap.agent.capture.Pcap4jPacketSource;
import dev.fluxtap.agent.capture.PcapFilePacketSource;
import dev.fluxtap.agent.config.AgentConfig;
import dev.fluxtap.agent.config.CaptureConfig;
import dev.fluxtap.agent.config.ConfigException;
import dev.fluxtap.agent.config.HostNames;
import dev.fluxtap.agent.config.OpsConfig;
import dev.fluxtap.agent.config.PublishConfig;
import dev.fluxtap.agent.config.ReplaySpeed;
import dev.fluxtap.agent.config.SpoolConfig;
import dev.fluxtap.agent.config.WireFormat;
import dev.fluxtap.agent.publish.KafkaRecordSink;
import dev.fluxtap.agent.spool.DiskSpool;
import dev.fluxtap.agent.tcpstats.TcpStatsConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import reactor.core.scheduler.Schedulers;

/** {@code run}: capture, decode and publish until stopped (or until the capture files are read). */
@Command(name = "run", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, sortOptions = false,
        description = {"Capture packets (live interfaces or capture files), decode them and publish summaries and status to Kafka.",
                "Every --foo-bar option can also be set with the environment variable FLUXTAP_FOO_BAR or the key foo-bar of --config."})
public final class RunCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]", description = "Kafka bootstrap servers (required).")
    String bootstrapServers;

    @Option(names = "--interface", split = ",", paramLabel = "IF", description = "Interface to capture on; repeatable; 'any' for all (Linux).")
    List<String> interfaces;

    @Option(names = "--pcap", split = ",", paramLabel = "FILE", description = "Replay capture files (pcap, pcapng) instead of capturing live.")
    List<Path> pcap;

    @Option(names = "--pcap-speed", defaultValue = "max", paramLabel = "max|realtime|FACTOR", converter = Converters.SpeedConverter.class,
            description = "Replay speed (default: ${DEFAULT-VALUE}).")
    ReplaySpeed pcapSpeed;

    @Option(names = "--pcap-loop", defaultValue = "false", fallbackValue = "true", arity = "0..1", description = "Replay the files in a loop until stopped.")
    boolean pcapLoop;

    @Option(names = "--filter", defaultValue = "", paramLabel = "BPF", description = "BPF capture filter (man pcap-filter).")
    String filter;

    @Option(names = "--snaplen", defaultValue = "128", description = "Bytes captured per packet: headers only (default: ${DEFAULT-VALUE}).")
    int snaplen;

    @Option(names = "--buffer-size", defaultValue = "4m", converter = Converters.SizeConverter.class, paramLabel = "BYTES",
            description = "Kernel capture buffer per interface (default: ${DEFAULT-VALUE}).")
    int bufferSize;

    @Option(names = "--immediate-mode", defaultValue = "false", fallbackValue = "true", arity = "0..1",
            description = "Wake up for every packet instead of per filled buffer block (default: ${DEFAULT-VALUE}; costs ~60%% more CPU).")
    boolean immediateMode;

    @Option(names = "--promiscuous", defaultValue = "false", fallbackValue = "true", arity = "0..1",
            description = "Promiscuous mode (default: ${DEFAULT-VALUE}).")
    boolean promiscuous;

    @Option(names = "--agent-id", paramLabel = "ID", description = "Stable agent id (default: the host name).")
    String agentId;

    @Option(names = "--queue-capacity", defaultValue = "262144", description = "Summaries the capture-to-sender queue holds, rounded up to a power of two (default: ${DEFAULT-VALUE}).")
    int queueCapacity;

    @Option(names = "--batch-max-summaries", defaultValue = "1000", description = "Close a batch at this many summaries (default: ${DEFAULT-VALUE}).")
    int batchMaxSummaries;

    @Option(names = "--batch-max-bytes", defaultValue = "64k", converter = Converters.SizeConverter.class, paramLabel = "BYTES",
            description = "... or at about this many bytes (default: ${DEFAULT-VALUE}).")
    int batchMaxBytes;

    @Option(names = "--batch-linger", defaultValue = "100ms", converter = Converters.DurationConverter.class, paramLabel = "DURATION",
            description = "... or when its oldest summary waited this long (default: ${DEFAULT-VALUE}).")
    Duration batchLinger;

    @Option(names = "--wire-format", defaultValue = "columns", paramLabel = "columns|rows", converter = Converters.WireFormatConverter.class,
            description = "Batch layout on fluxtap.packets.v1: columns = PacketColumns (default; aggregators of this release read both),"
                    + " rows = PacketBatch, for aggregators older than this release; upgrade aggregators first.")
    WireFormat wireFormat;

    @Option(names = "--max-in-flight", defaultValue = "8192", description = "Reactor Kafka records in flight (default: ${DEFAULT-VALUE}).")
    int maxInFlight;

    @Option(names = "--producer-linger", defaultValue = "5ms", converter = Converters.DurationConverter.class, paramLabel = "DURATION",
            description = "Kafka producer linger.ms (default: ${DEFAULT-VALUE}).")
    Duration producerLinger;

    @Option(names = "--producer-batch-bytes", defaultValue = "64k", converter = Converters.SizeConverter.class, paramLabel = "BYTES",
            description = "Kafka producer batch.size (default: ${DEFAULT-VALUE}).")
    int producerBatchBytes;

    @Option(names = "--send-timeout", defaultValue = "120s", converter = Converters.DurationConverter.class, paramLabel = "DURATION",
            description = "Without a spool, a batch not acknowledged by then is counted as lost; with one, the producer waits for Kafka (default: ${DEFAULT-VALUE}).")
    Duration sendTimeout;

    @Option(names = "--pending-batches", defaultValue = "4096", description = "Batches waiting for the producer before more are counted as lost (default: ${DEFAULT-VALUE}).")
    int pendingBatches;

    @Option(names = "--shutdown-timeout", defaultValue = "10s", converter = Converters.DurationConverter.class, paramLabel = "DURATION",
            description = "How long stopping waits for queued summaries to be sent (default: ${DEFAULT-VALUE}).")
    Duration shutdownTimeout;

    @Option(names = "--spool-dir", defaultValue = "/var/lib/fluxtap-agent/spool", paramLabel = "DIR|none",
            description = "On-disk spool for batches Kafka does not take (outage); 'none' keeps none: they are lost and counted (default: ${DEFAULT-VALUE}).")
    String spoolDir;

    @Option(names = "--spool-max-bytes", defaultValue = "256m", converter = Converters.LongSizeConverter.class, paramLabel = "BYTES",
            description = "Bound of the spool on disk; past it the newest batches are lost and counted (default: ${DEFAULT-VALUE}).")
    long spoolMaxBytes;

    @Option(names = "--spool-replay-rate", defaultValue = "16m/s", converter = Converters.RateConverter.class, paramLabel = "BYTES/s",
            description = "How fast the spool is sent once Kafka is back (default: ${DEFAULT-VALUE}).")
    long spoolReplayRate;

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE", split = ",",
            description = "Extra Kafka client property (security.protocol, sasl.*, ssl.*); repeatable. Values are never logged.")
    Map<String, String> kafkaProperties;

    @Option(names = "--kafka-properties-file", paramLabel = "FILE",
            description = "Kafka client properties file (security.protocol, ssl.*, sasl.*); --kafka-property entries win. Values are never logged.")
    Path kafkaPropertiesFile;

    @Option(names = "--bind-address", defaultValue = "0.0.0.0", description = "Address of the HTTP listeners (default: ${DEFAULT-VALUE}).")
    String bindAddress;

    @Option(names = "--http-port", defaultValue = "9100", description = "Port of /metrics; -1 disables (default: ${DEFAULT-VALUE}).")
    int httpPort;

    @Option(names = "--health-port", paramLabel = "PORT", description = "Port of /liveness /readiness /health (default: the --http-port).")
    Integer healthPort;

    @Option(names = "--auth-token-file", paramLabel = "FILE", description = "Require this bearer token on every endpoint but /liveness.")
    Path authTokenFile;

    @Option(names = "--tls-keystore", paramLabel = "FILE", description = "PKCS12 keystore: serve the endpoints over HTTPS.")
    Path tlsKeystore;

    @Option(names = "--tls-keystore-password-file", paramLabel = "FILE", description = "File holding the keystore password.")
    Path tlsKeystorePasswordFile;

    @Option(names = "--status-interval", defaultValue = "10s", converter = Converters.DurationConverter.class, paramLabel = "DURATION",
            description = "Period of the AgentStatus heartbeat (default: ${DEFAULT-VALUE}).")
    Duration statusInterval;

    @Option(names = "--tcp-stats", defaultValue = "true", fallbackValue = "true", arity = "0..1",
            description = "Publish TCP connection stats (RTT, cwnd, retransmits, owner) to Kafka (default: ${DEFAULT-VALUE}).")
    boolean tcpStats;

    @Option(names = "--tcp-stats-interval", defaultValue = "5s", converter = Converters.DurationConverter.class, paramLabel = "DURATION",
            description = "Time between TCP stats polls (default: ${DEFAULT-VALUE}).")
    Duration tcpStatsInterval;

    @Option(names = "--tcp-stats-all-namespaces", defaultValue = "true", fallbackValue = "true", arity = "0..1",
            description = "Read every network namespace on the host, so container connections are included; needs CAP_SYS_ADMIN"
                    + " and CAP_SYS_PTRACE (default: ${DEFAULT-VALUE}).")
    boolean tcpStatsAllNamespaces;

    @Option(names = "--tcp-stats-max-namespaces", defaultValue = "256", description = "Most namespaces read per poll (default: ${DEFAULT-VALUE}).")
    int tcpStatsMaxNamespaces;

    @Option(names = "--tcp-stats-top-processes", defaultValue = "10",
            description = "Processes with their own connection-count metric; the rest are summed as 'other' (default: ${DEFAULT-VALUE}).")
    int tcpStatsTopProcesses;

    @Option(names = "--config", paramLabel = "FILE", description = "YAML file of settings (keys = long option names).")
    Path config;

    /** The validated configuration the options describe. */
    public AgentConfig toConfig() {
        List<String> ifs = interfaces == null ? List.of() : interfaces;
        List<Path> files = pcap == null ? List.of() : pcap;
        if (ifs.isEmpty() && files.isEmpty()) {
            throw new ConfigException("interface", "give --interface IF (live capture) or --pcap FILE (replay)");
        }
        CaptureConfig capture = new CaptureConfig(ifs, files, pcapSpeed, pcapLoop, filter, snaplen, bufferSize, immediateMode, promiscuous);
        if (bootstrapServers == null) {
            throw new ConfigException("bootstrap-servers", "is required (host:port of the Kafka brokers)");
        }
        PublishConfig publish = new PublishConfig(bootstrapServers, queueCapacity, batchMaxSummaries, batchMaxBytes, batchLinger, maxInFlight,
                producerLinger, producerBatchBytes, sendTimeout, pendingBatches, shutdownTimeout, wireFormat);
        OpsConfig ops = new OpsConfig(bindAddress, httpPort, healthPort == null ? httpPort : healthPort, Optional.ofNullable(authTokenFile),
                Optional.ofNullable(tlsKeystore), Optional.ofNullable(tlsKeystorePasswordFile), statusInterval);
        Optional<TcpStatsConfig> tcp = Optional.empty();
        if (tcpStats) {
            try {
                TcpStatsConfig d = TcpStatsConfig.defaults();
                tcp = Optional.of(new TcpStatsConfig(HostNames.local(), tcpStatsInterval, tcpStatsAllNamespaces, tcpStatsMaxNamespaces,
                        d.commandTimeout(), d.maxOutputBytes(), d.commandLineChars(), tcpStatsTopProcesses, d.includeListening(), d.procRoot()));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("tcp-stats", e.getMessage());
            }
        }
        return new AgentConfig(agentId == null ? HostNames.local() : agentId, capture, publish, ops, tcp);
    }

    /** The spool settings; separate from {@link AgentConfig} because the sink, not the agent, owns the spool. */
    public SpoolConfig toSpoolConfig() {
        String dir = spoolDir == null ? "" : spoolDir.trim();
        if (dir.isEmpty()) {
            throw new ConfigException("spool-dir", "must be a directory or '" + SpoolConfig.NONE + "'");
        }
        return new SpoolConfig(dir.equals(SpoolConfig.NONE) ? Optional.empty() : Optional.of(Path.of(dir)), spoolMaxBytes, spoolReplayRate);
    }

    /** The properties file first, then each --kafka-property on top. */
    Map<String, Object> kafkaClientProperties() {
        Map<String, Object> extra = new java.util.HashMap<>();
        if (kafkaPropertiesFile != null) {
            java.util.Properties file = new java.util.Properties();
            try (java.io.Reader in = java.nio.file.Files.newBufferedReader(kafkaPropertiesFile)) {
                file.load(in);
            } catch (IOException e) {
                throw new ConfigException("kafka-properties-file", "cannot read " + kafkaPropertiesFile + ": " + e.getMessage());
            }
            file.stringPropertyNames().forEach(k -> extra.put(k, file.getProperty(k)));
        }
        if (kafkaProperties != null) {
            extra.putAll(kafkaProperties);
        }
        return Map.copyOf(extra);
    }

    @Override
    public Integer call() throws Exception {
        AgentConfig cfg;
        SpoolConfig spoolConfig;
        try {
            cfg = toConfig();
            spoolConfig = toSpoolConfig();
        } catch (ConfigException e) {
            return ConfigErrors.report(spec, e);
        }
        PacketSource source = cfg.capture().isReplay()
                ? new PcapFilePacketSource(cfg.capture().pcapFiles(), cfg.capture().pcapSpeed(), cfg.capture().pcapLoop())
                : new Pcap4jPacketSource(cfg.capture());
        Map<String, Object> extra;
        try {
            extra = kafkaClientProperties();
        } catch (ConfigException e) {
            return ConfigErrors.report(spec, e);
        }
        DiskSpool spool = null;
        if (spoolConfig.directory().isPresent()) {
            try {
                spool = DiskSpool.open(spoolConfig.directory().get(), spoolConfig.maxBytes(), Clock.systemUTC());
            } catch (IOException e) {
                spec.commandLine().getErr().println("fluxtap-agent: cannot use the spool directory " + spoolConfig.directory().get() + " (--spool-dir): "
                        + e.getMessage() + "; give a writable directory, or --spool-dir " + SpoolConfig.NONE + " to run without a spool");
                return 1;
            }
        }
        Agent agent = new Agent(cfg, source, new KafkaRecordSink(cfg.publish(), cfg.agentId(), extra, spool, spoolConfig.replayBytesPerSecond(),
                Clock.systemUTC()), Clock.systemUTC(), Schedulers.newSingle("status", true), VersionProvider.version());
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            agent.stop();
            stopped.countDown();
        }, "shutdown");
        try {
            agent.start();
        } catch (CaptureException | IOException e) {
            spec.commandLine().getErr().println("fluxtap-agent: " + e.getMessage());
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(hook);
        if (cfg.capture().isReplay() && !cfg.capture().pcapLoop()) {
            agent.awaitCaptureEnd(Duration.ofDays(365_000));
            Runtime.getRuntime().removeShutdownHook(hook);
            agent.stop();
            source.failure().ifPresent(f -> spec.commandLine().getErr().println("fluxtap-agent: " + f.getMessage()));
            return source.failure().isPresent() ? 1 : 0;
        }
        stopped.await();
        return 0;
    }
}
