package dev.fluxtap.aggregator;

import dev.fluxtap.aggregator.cluster.ClusterView;
import dev.fluxtap.aggregator.cluster.FlowFanOut;
import dev.fluxtap.aggregator.cluster.PartialReader;
import dev.fluxtap.aggregator.config.AggregatorConfig;
import dev.fluxtap.aggregator.config.HttpConfig;
import dev.fluxtap.aggregator.ingest.KafkaIngest;
import dev.fluxtap.aggregator.ingest.TopicSetup;
import dev.fluxtap.aggregator.observe.AggregatorMeters;
import dev.fluxtap.aggregator.publish.FlowPublisher;
import dev.fluxtap.aggregator.publish.KafkaFlowPublisher;
import dev.fluxtap.aggregator.publish.PartialPublisher;
import dev.fluxtap.aggregator.serve.ApiServer;
import dev.fluxtap.aggregator.serve.BearerAuth;
import dev.fluxtap.aggregator.serve.rest.Json;
import dev.fluxtap.aggregator.serve.rest.OpsRoutes;
import dev.fluxtap.aggregator.serve.rest.RestRoutes;
import dev.fluxtap.aggregator.serve.web.WebRoutes;
import dev.fluxtap.aggregator.serve.ws.WsGateway;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The whole aggregator in one process: {@code AggregatorApp.start(config)} starts, in order, topics, the flows
 * publisher, the state, the HTTP server and the Kafka intake; {@link #close()} stops intake, flushes exports and
 * commits offsets, then closes the publisher and the server.
 */
public final class AggregatorApp implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AggregatorApp.class);

    private final AggregatorConfig config;
    private final PrometheusMeterRegistry registry;
    private final FlowPublisher publisher;
    private final Pipeline pipeline;
    private final KafkaIngest ingest;
    private final ClusterView cluster;
    private final PartialPublisher partials;
    private final PartialReader peers;
    private final ApiServer server;
    private final Scheduler refreshScheduler;
    private final Disposable refresher;
    private boolean closed;

    private AggregatorApp(AggregatorConfig config, Clock clock) {
        this.config = config;
        BearerAuth auth = config.http().apiTokenFile().map(BearerAuth::fromFile).orElse(BearerAuth.none());
        TopicSetup.ensureTopics(config.kafka());
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Metrics.addRegistry(registry); // reactor-netty's HTTP server meters go to the global registry
        AggregatorMeters meters = new AggregatorMeters(registry);
        this.publisher = new KafkaFlowPublisher(config.kafka(), config.kafka().groupId() + "-flows", meters);
        this.pipeline = new Pipeline(config, meters, publisher, clock);
        this.ingest = new KafkaIngest(config.kafka(), pipeline, meters, clock, config.store().retention());
        String instanceId = config.cluster().instanceId().orElseGet(AggregatorApp::defaultInstanceId);
        this.cluster = new ClusterView(instanceId, pipeline, pipeline::newMetrics, config.cluster(), meters, clock);
        FlowFanOut fanOut = new FlowFanOut(cluster, config.cluster().fanoutTimeout(), Json.MAPPER, meters);
        RestRoutes rest = new RestRoutes(pipeline.store(), cluster, fanOut, pipeline.agents(), pipeline.sockets(), config.store().retention());
        OpsRoutes ops = new OpsRoutes(registry, ingest::ready, this::health);
        WsGateway ws = new WsGateway(rest, pipeline.store().updates(), config.http().ws(), config.http().idleTimeout(), Schedulers.parallel(),
                meters);
        this.server = new ApiServer(config.http(), auth, List.of(rest, ops, ws, new WebRoutes()), meters).start(); // web last: its fallback catches the rest
        String apiUrl = config.cluster().advertisedUrl().map(Object::toString).orElseGet(() -> defaultApiUrl(config.http(), server.port()));
        this.partials = new PartialPublisher(config.kafka(), config.cluster(), cluster, pipeline, apiUrl, meters, clock);
        this.peers = new PartialReader(config.kafka(), config.cluster(), cluster, meters, clock);
        peers.start();
        ingest.start();
        partials.start();
        this.refreshScheduler = Schedulers.newSingle("fluxtap-live-refresh", true);
        // Tables that tick (their traffic moves event time) publish live views at each tick; the refresher covers the
        // rest, so that the read API shows traffic when no newer packets arrive.
        this.refresher = Flux.interval(config.store().liveRefresh(), refreshScheduler).subscribe(i -> pipeline.refreshIdle());
        log.info("aggregator: instance {} serving on port {} (advertised {}), consuming from {}{}", instanceId, server.port(), apiUrl,
                config.kafka().bootstrapServers(), auth.enabled() ? " (API token required)" : "");
    }

    /** Starts everything; fails with a one-line reason when Kafka or the HTTP port is not usable. */
    public static AggregatorApp start(AggregatorConfig config) {
        return new AggregatorApp(config, Clock.systemUTC());
    }

    public static AggregatorApp start(AggregatorConfig config, Clock clock) {
        return new AggregatorApp(config, clock);
    }

    public int httpPort() {
        return server.port();
    }

    private static String defaultInstanceId() {
        return hostName() + "-" + ProcessHandle.current().pid();
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    /** The bind address when it is a specific one, else the host name; the scheme follows the listener's TLS. */
    private static String defaultApiUrl(HttpConfig http, int port) {
        String host = http.host().equals("0.0.0.0") || http.host().equals("::") ? hostName() : http.host();
        if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return (http.tls().isPresent() ? "https" : "http") + "://" + host + ":" + port;
    }

    public String instanceId() {
        return cluster.instanceId();
    }

    /** The cluster as this instance sees it (itself and its live peers). */
    public ClusterView cluster() {
        return cluster;
    }

    /** The packets partitions this instance owns. */
    public java.util.Set<Integer> assignedPartitions() {
        return ingest.assignedPartitions().stream().map(tp -> tp.partition()).collect(java.util.stream.Collectors.toSet());
    }

    /** Assigned partitions and caught up to within the configured lag. */
    public boolean ready() {
        return ingest.ready();
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The configured routes of the HTTP server. */
    public List<String> httpPaths() {
        return server.paths();
    }

    private Map<String, Object> health() {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("status", ingest.ready() ? "up" : "starting");
        h.put("instanceId", cluster.instanceId());
        h.put("cluster", cluster.members());
        h.put("assignedPartitions", ingest.assignedPartitions().stream().map(Object::toString).sorted().toList());
        h.put("lag", ingest.lag());
        h.put("activeFlows", pipeline.activeFlows());
        h.put("storedFlows", pipeline.store().size());
        h.put("deadlettered", ingest.deadlettered());
        h.put("agents", pipeline.agents().agents().size());
        return h;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        Duration timeout = config.shutdownTimeout();
        server.stop(timeout); // stop accepting, close WebSockets with 1001, drain
        refresher.dispose();
        partials.close(); // peers drop this instance at once (tombstone)
        peers.close();
        ingest.stop(timeout); // stop intake, flush exports, commit offsets
        publisher.close();
        refreshScheduler.dispose();
        Metrics.removeRegistry(registry);
        registry.close();
        log.info("aggregator: stopped");
    }
}
