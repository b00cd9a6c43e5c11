package dev.fluxtap.aggregator;

import dev.fluxtap.aggregator.config.AggregatorConfig;
import dev.fluxtap.aggregator.config.ClusterConfig;
import dev.fluxtap.aggregator.config.ConfigDefaults;
import dev.fluxtap.aggregator.config.Durations;
import dev.fluxtap.aggregator.config.FlowConfig;
import dev.fluxtap.aggregator.config.HttpConfig;
import dev.fluxtap.aggregator.config.KafkaConfig;
import dev.fluxtap.aggregator.config.StoreConfig;
import dev.fluxtap.aggregator.config.TopKConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar fluxtap-aggregator.jar --bootstrap-servers kafka:9092}. Every flag {@code --foo-bar} may also come
 * from env {@code FLUXTAP_FOO_BAR} or key {@code foo-bar} of {@code --config FILE} (YAML); flag > env > file > default.
 */
@Command(name = "fluxtap-aggregator", mixinStandardHelpOptions = true, version = "fluxtap-aggregator 0.1.0", sortOptions = false, abbreviateSynopsis = true,
        description = "Builds flows, top talkers and metrics from the agents' Kafka topics and serves them over HTTP.")
public final class AggregatorMain implements Callable<Integer> {

    private static final AggregatorConfig D = AggregatorConfig.defaults();

    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return Durations.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    @Option(names = "--config", description = "Optional YAML file of settings (keys are the flag names without dashes).")
    Path configFile;

    @Option(names = "--bootstrap-servers", description = "Kafka bootstrap servers (default ${DEFAULT-VALUE}).")
    String bootstrapServers = D.kafka().bootstrapServers();
    @Option(names = "--kafka-properties-file", paramLabel = "FILE",
            description = "Kafka client properties (security.protocol, ssl.*, sasl.*) for every client; values are never logged.")
    Path kafkaPropertiesFile;
    @Option(names = "--group-id", description = "Consumer group (default ${DEFAULT-VALUE}).")
    String groupId = D.kafka().groupId();
    @Option(names = "--commit-interval", converter = DurationConverter.class, description = "Offset commit interval (default 1s).")
    Duration commitInterval = D.kafka().commitInterval();
    @Option(names = "--commit-batch-size", description = "Commit after this many applied records (default ${DEFAULT-VALUE}).")
    int commitBatchSize = D.kafka().commitBatchSize();
    @Option(names = "--max-poll-records", description = "Records per poll; ingest polls one poll ahead of processing (default ${DEFAULT-VALUE}).")
    int maxPollRecords = D.kafka().maxPollRecords();
    @Option(names = "--prefetch", description = "Records buffered ahead of processing per packets partition, and in the grouping before them (default ${DEFAULT-VALUE}).")
    int prefetch = D.kafka().prefetch();
    @Option(names = "--create-topics", arity = "1", description = "Create missing topics at start (default ${DEFAULT-VALUE}).")
    boolean createTopics = D.kafka().createTopics();
    @Option(names = "--packets-partitions", description = "Partitions of created packets/tcpstats topics (default ${DEFAULT-VALUE}).")
    int packetsPartitions = D.kafka().packetsPartitions();
    @Option(names = "--flows-partitions", description = "Partitions of a created flows topic (default ${DEFAULT-VALUE}).")
    int flowsPartitions = D.kafka().flowsPartitions();
    @Option(names = "--replication-factor", description = "Replication of created topics (default ${DEFAULT-VALUE}).")
    int replicationFactor = D.kafka().replicationFactor();
    @Option(names = "--ready-max-lag", description = "Readiness needs at most this consumer lag (default ${DEFAULT-VALUE}).")
    long readyMaxLag = D.kafka().readyMaxLag();

    @Option(names = "--tcp-idle-timeout", converter = DurationConverter.class, description = "Idle TCP flow timeout (default 300s).")
    Duration tcpIdleTimeout = D.flows().tcpIdleTimeout();
    @Option(names = "--udp-idle-timeout", converter = DurationConverter.class, description = "Idle UDP flow timeout (default 60s).")
    Duration udpIdleTimeout = D.flows().udpIdleTimeout();
    @Option(names = "--icmp-idle-timeout", converter = DurationConverter.class, description = "Idle ICMP flow timeout (default 30s).")
    Duration icmpIdleTimeout = D.flows().icmpIdleTimeout();
    @Option(names = "--other-idle-timeout", converter = DurationConverter.class, description = "Idle timeout of other protocols (default 60s).")
    Duration otherIdleTimeout = D.flows().otherIdleTimeout();
    @Option(names = "--linger", converter = DurationConverter.class, description = "Linger after FIN/RST before END (default 5s).")
    Duration linger = D.flows().linger();
    @Option(names = "--active-timeout", converter = DurationConverter.class, description = "UPDATE interval of long flows (default 60s).")
    Duration activeTimeout = D.flows().activeTimeout();
    @Option(names = "--allowed-lateness", converter = DurationConverter.class, description = "Out-of-order tolerance per agent (default 5s).")
    Duration allowedLateness = D.flows().allowedLateness();
    @Option(names = "--tick", converter = DurationConverter.class, description = "Event-time sweep step (default 1s).")
    Duration tick = D.flows().tick();
    @Option(names = "--max-flows-per-table", description = "Open flows per partition (default ${DEFAULT-VALUE}).")
    int maxFlowsPerTable = D.flows().maxFlowsPerTable();

    @Option(names = "--retention", converter = DurationConverter.class, description = "Event time kept for queries (default 60m).")
    Duration retention = D.store().retention();
    @Option(names = "--max-flows", description = "Flows kept in the store (default ${DEFAULT-VALUE}).")
    int maxFlows = D.store().maxFlows();
    @Option(names = "--max-sockets", description = "TCP sockets kept for the join (default ${DEFAULT-VALUE}).")
    int maxSockets = D.store().maxSockets();
    @Option(names = "--history-step", converter = DurationConverter.class, description = "Metric history resolution (default 10s).")
    Duration historyStep = D.store().historyStep();
    @Option(names = "--live-refresh", converter = DurationConverter.class, description = "Wall-clock refresh of live flow views, and the least wall time between two publications of a table's live views at ticks (default 500ms).")
    Duration liveRefresh = D.store().liveRefresh();

    @Option(names = "--topk-exact-keys", description = "Exact keys per minute and dimension before the sketch (default ${DEFAULT-VALUE}).")
    int topkExactKeys = D.topk().exactKeys();
    @Option(names = "--topk-sketch-map-size", description = "Frequent-items sketch map size, a power of two (default ${DEFAULT-VALUE}).")
    int topkSketchMapSize = D.topk().sketchMapSize();
    @Option(names = "--max-hosts", description = "Hosts tracked per history slot of the last minute, for per-host rates (default ${DEFAULT-VALUE}).")
    int maxHosts = D.topk().maxHosts();

    @Option(names = "--http-host", description = "HTTP bind address (default ${DEFAULT-VALUE}).")
    String httpHost = D.http().host();
    @Option(names = "--http-port", description = "HTTP port (default ${DEFAULT-VALUE}).")
    int httpPort = D.http().port();
    @Option(names = "--auth-token-file", description = "File with the bearer token required on /api routes (optional).")
    Path authTokenFile;
    @Option(names = "--http-max-connections", description = "Concurrent HTTP connections (default ${DEFAULT-VALUE}).")
    int httpMaxConnections = D.http().maxConnections();
    @Option(names = "--http-idle-timeout", converter = DurationConverter.class,
            description = "Close an idle keep-alive connection, or a WebSocket without client messages, after this long (default 60s).")
    Duration httpIdleTimeout = D.http().idleTimeout();
    @Option(names = "--rate-limit", description = "Requests per second per client address; 0 = off (default ${DEFAULT-VALUE}).")
    int rateLimit = D.http().rateLimit();
    @Option(names = "--rate-limit-burst", description = "Requests a client may send at once before --rate-limit applies (default ${DEFAULT-VALUE}).")
    int rateLimitBurst = D.http().rateLimitBurst();
    @Option(names = "--cors-origins", split = ",", description = "Origins allowed by CORS, comma-separated (default: CORS off).")
    List<String> corsOrigins = new ArrayList<>();
    @Option(names = "--tls-keystore", description = "PKCS12 key store with the server's key and certificate chain (enables TLS).")
    Path tlsKeystore;
    @Option(names = "--tls-keystore-password-file", description = "File holding the password of --tls-keystore.")
    Path tlsKeystorePasswordFile;
    @Option(names = "--tls-cert", description = "PEM certificate chain (with --tls-key; enables TLS).")
    Path tlsCert;
    @Option(names = "--tls-key", description = "PEM PKCS#8 private key, unencrypted (BEGIN PRIVATE KEY).")
    Path tlsKey;
    @Option(names = "--tls-client-ca", description = "PEM CA certificates that sign client certificates (enables mTLS).")
    Path tlsClientCa;
    @Option(names = "--tls-client-auth", description = "With --tls-client-ca: required or optional (default required).")
    String tlsClientAuth;
    @Option(names = "--ws-max-subscriptions", description = "Subscriptions per WebSocket connection (default ${DEFAULT-VALUE}).")
    int wsMaxSubscriptions = D.http().ws().maxSubscriptions();
    @Option(names = "--ws-max-message-bytes", description = "Largest client WebSocket message; larger closes with 1009 (default ${DEFAULT-VALUE}).")
    int wsMaxMessageBytes = D.http().ws().maxMessageBytes();
    @Option(names = "--ws-flow-buffer", description = "Flow updates buffered per flows subscription before lagged (default ${DEFAULT-VALUE}).")
    int wsFlowBuffer = D.http().ws().flowBuffer();
    @Option(names = "--instance-id", description = "Name of this instance in partials and answers (default: host name and process id).")
    String instanceId;
    @Option(names = "--advertised-url", description = "Base URL peers reach this instance's API at, for flow-query fan-out (default: http(s)://<host name>:<http port>).")
    URI advertisedUrl;
    @Option(names = "--partials-interval", converter = DurationConverter.class, description = "How often this instance publishes its partial aggregates (default 2s).")
    Duration partialsInterval = D.cluster().partialsInterval();
    @Option(names = "--peer-timeout", converter = DurationConverter.class, description = "Peers without a partial for this long leave global answers (default 10s).")
    Duration peerTimeout = D.cluster().peerTimeout();
    @Option(names = "--fanout-timeout", converter = DurationConverter.class, description = "Wait per peer in flow-query fan-out (default 2s).")
    Duration fanoutTimeout = D.cluster().fanoutTimeout();
    @Option(names = "--partial-top-n", description = "Top talkers per window, dimension and metric in a partial (default ${DEFAULT-VALUE}).")
    int partialTopN = D.cluster().partialTopN();
    @Option(names = "--shutdown-timeout", converter = DurationConverter.class, description = "Graceful shutdown bound (default 15s).")
    Duration shutdownTimeout = D.shutdownTimeout();

    AggregatorConfig toConfig() {
        return new AggregatorConfig(
                new KafkaConfig(bootstrapServers, groupId, commitInterval, commitBatchSize, maxPollRecords, prefetch, createTopics,
                        packetsPartitions, flowsPartitions, replicationFactor, readyMaxLag,
                        kafkaPropertiesFile == null ? Map.of() : KafkaConfig.loadClientProperties(kafkaPropertiesFile)),
                new FlowConfig(tcpIdleTimeout, udpIdleTimeout, icmpIdleTimeout, otherIdleTimeout, linger, activeTimeout, allowedLateness, tick,
                        maxFlowsPerTable),
                new StoreConfig(retention, maxFlows, maxSockets, historyStep, liveRefresh),
                new TopKConfig(topkExactKeys, topkSketchMapSize, maxHosts),
                new HttpConfig(httpHost, httpPort, Optional.ofNullable(authTokenFile), httpMaxConnections, httpIdleTimeout, rateLimit, rateLimitBurst,
                        corsOrigins, tls(), new HttpConfig.WsConfig(wsMaxSubscriptions, wsMaxMessageBytes, wsFlowBuffer)),
                new ClusterConfig(Optional.ofNullable(instanceId), Optional.ofNullable(advertisedUrl), partialsInterval, peerTimeout, fanoutTimeout,
                        partialTopN),
                shutdownTimeout);
    }

    private Optional<HttpConfig.TlsConfig> tls() {
        if (tlsKeystore == null && tlsCert == null && tlsKey == null) {
            if (tlsClientCa != null || tlsClientAuth != null || tlsKeystorePasswordFile != null) {
                throw new IllegalArgumentException("--tls-client-ca: TLS options need --tls-keystore or --tls-cert/--tls-key");
            }
            return Optional.empty();
        }
        HttpConfig.TlsConfig.ClientAuth auth = null;
        if (tlsClientAuth != null) {
            auth = switch (tlsClientAuth.toLowerCase(java.util.Locale.ROOT)) {
                case "required" -> HttpConfig.TlsConfig.ClientAuth.REQUIRED;
                case "optional" -> HttpConfig.TlsConfig.ClientAuth.OPTIONAL;
                default -> throw new IllegalArgumentException("--tls-client-auth: must be required or optional (got '" + tlsClientAuth + "')");
            };
        }
        return Optional.of(new HttpConfig.TlsConfig(Optional.ofNullable(tlsKeystore), Optional.ofNullable(tlsKeystorePasswordFile),
                Optional.ofNullable(tlsCert), Optional.ofNullable(tlsKey), Optional.ofNullable(tlsClientCa), auth));
    }

    /** Parses flags, env and file into a validated config; a bad value throws with a one-line message naming it. */
    static AggregatorConfig parse(String[] args, Map<String, String> env) {
        AggregatorMain main = new AggregatorMain();
        CommandLine cmd = commandLine(main, args, env);
        cmd.parseArgs(args);
        return main.toConfig();
    }

    private static CommandLine commandLine(AggregatorMain main, String[] args, Map<String, String> env) {
        CommandLine probe = new CommandLine(new AggregatorMain());
        Set<String> settings = probe.getCommandSpec().options().stream().map(o -> o.longestName().substring(2)).collect(Collectors.toSet());
        CommandLine cmd = new CommandLine(main);
        cmd.setDefaultValueProvider(ConfigDefaults.load(args, env, settings));
        return cmd;
    }

    @Override
    public Integer call() throws InterruptedException {
        AggregatorConfig config = toConfig();
        AggregatorApp app = AggregatorApp.start(config);
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            app.close();
            done.countDown();
        }, "fluxtap-shutdown"));
        done.await();
        return 0;
    }

    public static void main(String[] args) {
        int code;
        try {
            AggregatorMain main = new AggregatorMain();
            CommandLine cmd = commandLine(main, args, System.getenv());
            cmd.setParameterExceptionHandler((e, a) -> {
                System.err.println("fluxtap-aggregator: " + e.getMessage() + " (see --help)");
                return 2;
            });
            cmd.setExecutionExceptionHandler((e, c, parsed) -> {
                System.err.println("fluxtap-aggregator: " + e.getMessage());
                return 1;
            });
            code = cmd.execute(args);
        } catch (IllegalArgumentException e) {
            System.err.println("fluxtap-aggregator: " + e.getMessage());
            code = 2;
        }
        System.exit(code);
    }
}
