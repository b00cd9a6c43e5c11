package dev.fluxtap.aggregator.serve.rest;

import dev.fluxtap.aggregator.cluster.ClusterView;
import dev.fluxtap.aggregator.cluster.FlowFanOut;
import dev.fluxtap.aggregator.flow.Flow;
import dev.fluxtap.aggregator.flow.FlowObserver;
import dev.fluxtap.aggregator.flow.FlowSocket;
import dev.fluxtap.aggregator.flow.SocketIndex;
import dev.fluxtap.aggregator.flow.TcpState;
import dev.fluxtap.aggregator.metrics.AgentRegistry;
import dev.fluxtap.aggregator.metrics.AgentView;
import dev.fluxtap.aggregator.metrics.TrafficMetrics;
import dev.fluxtap.aggregator.serve.Route;
import dev.fluxtap.aggregator.serve.RouteModule;
import dev.fluxtap.aggregator.store.FlowQuery;
import dev.fluxtap.aggregator.store.FlowStore;
import dev.fluxtap.aggregator.topk.Dimension;
import dev.fluxtap.aggregator.topk.TopTalkers;
import dev.fluxtap.aggregator.topk.TopTalkersResult;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Stream;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/** The read API under /api: flows, top talkers, metrics, agents, connections, and the OpenAPI document. */
public final class RestRoutes implements RouteModule {

    private static final Logger log = LoggerFactory.getLogger(RestRoutes.class);
    private static final List<String> STATES = Stream.concat(Arrays.stream(TcpState.values()).map(Enum::name), Stream.of("ACTIVE", "ENDED")).toList();

    private static final List<String> SCOPES = List.of("cluster", "local");

    private final FlowStore store;
    private final ClusterView cluster;
    private final FlowFanOut fanOut;
    private final AgentRegistry agents;
    private final SocketIndex sockets;
    private final Duration retention;
    private final byte[] openApi;

    /**
     * @param cluster answers top talkers and metrics for the cluster (or this instance with scope=local)
     * @param fanOut  asks peers for flows; flows answer for this instance only when there is no peer
     */
    public RestRoutes(FlowStore store, ClusterView cluster, FlowFanOut fanOut, AgentRegistry agents, SocketIndex sockets,
                      Duration retention) {
        this.store = store;
        this.cluster = cluster;
        this.fanOut = fanOut;
        this.agents = agents;
        this.sockets = sockets;
        this.retention = retention;
        try (InputStream in = RestRoutes.class.getResourceAsStream("/openapi.yaml")) {
            this.openApi = in.readAllBytes();
        } catch (IOException | NullPointerException e) {
            throw new UncheckedIOException(new IOException("openapi.yaml is missing from the jar", e));
        }
    }

    @Override
    public List<Route> routes() {
        return List.of(
                new Route("/api/openapi.yaml", false, (req, res) -> res.header("Content-Type", "application/yaml")
                        .sendByteArray(Mono.just(openApi)).then()),
                new Route("/api/v1/flows", true, this::flowsRoute),
                new Route("/api/v1/top-talkers", true, json(this::topTalkers)),
                new Route("/api/v1/metrics/summary", true, json(this::summary)),
                new Route("/api/v1/metrics/history", true, json(this::history)),
                new Route("/api/v1/agents", true, json(this::agents)),
                new Route("/api/v1/connections", true, json(this::connections)));
    }

    /**
     * The body the GET endpoint {@code path} answers for {@code query} (a query string without '?'), for callers that
     * serialise it themselves (the WebSocket gateway). Throws {@link BadParameter} as the endpoint would answer 400.
     */
    public Object answer(String path, String query) {
        String uri = path + (query.isEmpty() ? "" : "?" + query);
        return switch (path) {
            case "/api/v1/flows" -> localFlows(uri);
            case "/api/v1/top-talkers" -> topTalkers(uri);
            case "/api/v1/metrics/summary" -> summary(uri);
            case "/api/v1/metrics/history" -> history(uri);
            case "/api/v1/agents" -> agents(uri);
            case "/api/v1/connections" -> connections(uri);
            default -> throw new IllegalArgumentException("no JSON endpoint " + path);
        };
    }

    /** The flow filter of a /api/v1/flows query string, validated as the endpoint validates it. */
    public static FlowQuery flowQuery(String query) {
        Params p = new Params("/api/v1/flows?" + query, Set.of("ip", "port", "protocol", "agent", "state", "since", "limit", "scope"));
        p.oneOf("scope", SCOPES, "cluster");
        return new FlowQuery(p.ip("ip"), p.integer("port", 0, 65535), p.integer("protocol", 0, 255), p.text("agent"),
                p.oneOf("state", STATES, null), p.instantMicros("since"), p.integer("limit", 1, 10_000, 100));
    }

    private static BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> json(Function<String, Object> handler) {
        return (req, res) -> {
            try {
                return Json.ok(res, handler.apply(req.uri()));
            } catch (BadParameter e) {
                return Json.error(res, HttpResponseStatus.BAD_REQUEST, "bad_request", e.parameter(), e.getMessage());
            } catch (RuntimeException e) {
                log.error("rest: {} failed", req.uri(), e);
                return Json.error(res, HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal", null, "the request failed: " + e);
            }
        };
    }

    /** One flow in the API: camelCase, times as ISO-8601, fwd = src (initiator) to dst. */
    public record FlowJson(String flowId, int protocol, int ipVersion, String srcIp, int srcPort, String dstIp, int dstPort,
                           long fwdPackets, long fwdBytes, int fwdTcpFlags, long revPackets, long revBytes, int revTcpFlags,
                           String firstSeen, String lastSeen, String tcpState, Long handshakeRttMicros, long retransmitsFwd,
                           long retransmitsRev, boolean ended, String endReason, List<String> agents, List<ObserverJson> observers,
                           List<FlowSocket> sockets) {
    }

    public record ObserverJson(String agentId, long fwdPackets, long fwdBytes, long revPackets, long revBytes, String firstSeen,
                               String lastSeen) {
    }

    public static FlowJson toJson(Flow f) {
        List<ObserverJson> observers = new ArrayList<>();
        for (FlowObserver o : f.observers()) {
            observers.add(new ObserverJson(o.agentId(), o.fwd().packets(), o.fwd().ipBytes(), o.rev().packets(), o.rev().ipBytes(),
                    Json.iso(o.firstSeenMicros()), Json.iso(o.lastSeenMicros())));
        }
        return new FlowJson(f.flowId(), f.protocol(), f.ipVersion(), f.srcIp(), f.srcPort(), f.dstIp(), f.dstPort(),
                f.fwd().packets(), f.fwd().ipBytes(), f.fwd().tcpFlags(), f.rev().packets(), f.rev().ipBytes(), f.rev().tcpFlags(),
                Json.iso(f.firstSeenMicros()), Json.iso(f.lastSeenMicros()), f.tcpState(), f.handshakeRttMicros(), f.retransmitsFwd(),
                f.retransmitsRev(), f.ended(), f.endReason(), f.agents(), observers, f.sockets());
    }

    /**
     * Flows of the whole cluster: when peers are live, this instance's answer merged with theirs (fan-out); a peer that
     * did not answer is listed in missingPeers and complete is false. scope=local answers from this instance only.
     */
    public record FlowsJson(List<?> flows, boolean complete, List<String> missingPeers) {
    }

    /** This instance's flows (the WebSocket gateway and scope=local). */
    private Object localFlows(String uri) {
        return new FlowsJson(ownFlows(flowQuery(new QueryStringDecoder(uri).rawQuery())), true, List.of());
    }

    private List<FlowJson> ownFlows(FlowQuery q) {
        return store.query(q).stream().map(RestRoutes::toJson).toList();
    }

    /** True when a flows query string asks for {@code scope=local}. */
    public static boolean localScope(String query) {
        return new QueryStringDecoder("?" + query).parameters().getOrDefault("scope", List.of()).contains("local");
    }

    /** True when live peers answer flow queries too (fan-out). */
    public boolean hasPeers() {
        return fanOut.hasPeers();
    }

    /**
     * The flows endpoint's answer for a query string without '?': this instance's flows, merged with every live peer's
     * unless it asks for scope=local. Throws {@link BadParameter} for a bad query.
     *
     * @param authorization the caller's Authorization header value, forwarded to the peers; or null
     */
    public Mono<FlowsJson> flows(String query, String authorization) {
        FlowQuery q = flowQuery(query);
        List<FlowJson> own = ownFlows(q);
        if (localScope(query) || !fanOut.hasPeers()) {
            return Mono.just(new FlowsJson(own, true, List.of()));
        }
        return fanOut.query(query, authorization, own, q.limit())
                .map(r -> new FlowsJson(r.flows(), r.missingPeers().isEmpty(), r.missingPeers()));
    }

    private Publisher<Void> flowsRoute(HttpServerRequest req, HttpServerResponse res) {
        Mono<FlowsJson> answer;
        try {
            answer = flows(new QueryStringDecoder(req.uri()).rawQuery(), req.requestHeaders().get(HttpHeaderNames.AUTHORIZATION));
        } catch (BadParameter e) {
            return Json.error(res, HttpResponseStatus.BAD_REQUEST, "bad_request", e.parameter(), e.getMessage());
        } catch (RuntimeException e) {
            log.error("rest: {} failed", req.uri(), e);
            return Json.error(res, HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal", null, "the request failed: " + e);
        }
        return answer.flatMap(r -> Mono.from(Json.ok(res, r)))
                .onErrorResume(e -> {
                    log.error("rest: {} failed", req.uri(), e);
                    return Mono.from(Json.error(res, HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal", null, "the request failed: " + e));
                });
    }

    private boolean localScope(Params p) {
        return "local".equals(p.oneOf("scope", SCOPES, "cluster"));
    }

    private Object topTalkers(String uri) {
        Params p = new Params(uri, Set.of("by", "window", "metric", "limit", "scope"));
        String by = p.oneOf("by", Arrays.stream(Dimension.values()).map(Dimension::label).toList(), "host");
        String window = p.oneOf("window", TopTalkers.WINDOWS, "5m");
        String metric = p.oneOf("metric", List.of("bytes", "packets"), "bytes");
        int limit = p.integer("limit", 1, 1000, 10);
        TopTalkersResult r = cluster.topTalkers(Dimension.parse(by).orElseThrow(), window, metric.equals("bytes"), limit, localScope(p));
        return new TopTalkersJson(r.dimension(), r.metric(), r.window(), Json.iso(r.windowEndMicros()), r.total(), r.exact(), r.maxError(),
                r.entries());
    }

    /** Top talkers: when exact is false, each value may exceed the truth by at most maxError. */
    public record TopTalkersJson(String by, String metric, String window, String windowEnd, long total, boolean exact, long maxError,
                                 List<TopTalkersResult.Entry> talkers) {
    }

    public record SummaryJson(String eventTime, TrafficMetrics.Summary traffic, Map<String, Long> connectionsByState,
                              Map<String, Long> connectionsByPort, long connections) {
    }

    private Object summary(String uri) {
        Params p = new Params(uri, Set.of("limit", "scope"));
        TrafficMetrics.Summary s = cluster.metrics(localScope(p)).summary(p.integer("limit", 1, 1000, 20));
        Map<String, Long> byState = new TreeMap<>();
        Map<String, Long> byPort = new TreeMap<>(Comparator.comparingInt(Integer::parseInt));
        long total = 0;
        for (SocketIndex.HostSockets h : sockets.hosts()) {
            for (FlowSocket c : h.sockets()) {
                byState.merge(c.state(), 1L, Long::sum);
                byPort.merge(Integer.toString(servicePort(c)), 1L, Long::sum);
                total++;
            }
        }
        return new SummaryJson(Json.isoOrNull(s.eventTimeMicros()), s, byState, byPort, total);
    }

    /** The well-known side of a connection: a listener's own port, else the lower of the two ports. */
    private static int servicePort(FlowSocket c) {
        return c.remotePort() == 0 ? c.localPort() : Math.min(c.localPort(), c.remotePort());
    }

    public record HistoryJson(String metric, String window, String step, List<PointJson> points) {
    }

    public record PointJson(String ts, Double value) {
    }

    private Object history(String uri) {
        Params p = new Params(uri, Set.of("metric", "window", "step", "scope"));
        TrafficMetrics metrics = cluster.metrics(localScope(p));
        String metric = p.text("metric");
        if (metric == null) {
            throw new BadParameter("metric", "metric is required: one of " + String.join("|", TrafficMetrics.SERIES));
        }
        p.oneOf("metric", TrafficMetrics.SERIES, null);
        Duration window = p.duration("window", Duration.ofMinutes(60));
        Duration step = p.duration("step", Duration.ofSeconds(10));
        long baseStep = metrics.stepMicros();
        long stepMicros = step.toNanos() / 1000;
        if (window.compareTo(retention) > 0) {
            throw new BadParameter("window", "window must not exceed the retention of " + retention.toMinutes() + "m");
        }
        if (stepMicros % baseStep != 0) {
            throw new BadParameter("step", "step must be a multiple of the history step of " + baseStep / 1_000_000 + "s");
        }
        if (window.toNanos() / step.toNanos() > 10_000 || window.compareTo(step) < 0) {
            throw new BadParameter("step", "step must be at most the window and give at most 10000 points");
        }
        List<PointJson> points = metrics.history(metric, window.toNanos() / 1000, stepMicros).stream()
                .map(pt -> new PointJson(Json.iso(pt.tsMicros()), pt.value())).toList();
        return new HistoryJson(metric, p.text("window") == null ? "60m" : p.text("window"), p.text("step") == null ? "10s" : p.text("step"),
                points);
    }

    public record AgentJson(String agentId, String bootId, String hostId, String version, String status, String lastSeen,
                            String lastHeartbeat, long batchesReceived, long summariesReceived, long lostBatches, long duplicateBatches,
                            long packetsCaptured, long kernelDrops, long interfaceDrops, long queueDrops, long agentBatchesLost,
                            long sendFailures, double completeness, List<String> interfaces) {
    }

    private Object agents(String uri) {
        boolean local = localScope(new Params(uri, Set.of("scope")));
        List<AgentJson> list = new ArrayList<>();
        for (AgentView a : agents.agents(cluster.agentBatches(local))) {
            long lastSeen = Math.max(a.lastBatchMicros(), a.lastHeartbeatMicros() == null ? 0 : a.lastHeartbeatMicros());
            list.add(new AgentJson(a.agentId(), a.bootId(), a.hostId(), a.version(), a.status(), lastSeen == 0 ? null : Json.iso(lastSeen),
                    Json.isoOrNull(a.lastHeartbeatMicros()), a.batchesReceived(), a.summariesReceived(), a.lostBatches(),
                    a.duplicateBatches(), a.packetsCaptured(), a.kernelDrops(), a.interfaceDrops(), a.queueDrops(), a.agentBatchesLost(),
                    a.sendFailures(), a.completeness(), a.interfaces()));
        }
        return Map.of("agents", list);
    }

    public record ConnectionJson(String host, String snapshotAt, String localIp, int localPort, String remoteIp, int remotePort,
                                 String state, Long rttMicros, Integer cwndSegments, Long retransmitsTotal, Integer pid, String processName,
                                 String containerId) {
    }

    public record ConnectionsJson(int count, List<ConnectionJson> connections) {
    }

    private Object connections(String uri) {
        Params p = new Params(uri, Set.of("host", "container", "port", "state", "limit"));
        String host = p.text("host");
        String container = p.text("container");
        int[] ports = p.portRange("port");
        String state = p.text("state");
        int limit = p.integer("limit", 1, 100_000, 1000);
        List<ConnectionJson> out = new ArrayList<>();
        int count = 0;
        for (SocketIndex.HostSockets h : sockets.hosts()) {
            if (host != null && !host.equals(h.hostId())) {
                continue;
            }
            for (FlowSocket c : h.sockets()) {
                if ((container == null || container.equals(c.containerId()))
                        && (ports == null || in(c.localPort(), ports) || in(c.remotePort(), ports))
                        && (state == null || state.equalsIgnoreCase(c.state()))) {
                    count++;
                    if (out.size() < limit) {
                        out.add(new ConnectionJson(h.hostId(), Json.iso(c.tsMicros()), c.localIp(), c.localPort(), c.remoteIp(),
                                c.remotePort(), c.state(), c.rttMicros(), c.cwndSegments(), c.retransmitsTotal(), c.pid(),
                                c.processName(), c.containerId()));
                    }
                }
            }
        }
        out.sort(Comparator.comparing(ConnectionJson::host).thenComparingInt(ConnectionJson::localPort));
        return new ConnectionsJson(count, out);
    }

    private static boolean in(int port, int[] range) {
        return port >= range[0] && port <= range[1];
    }
}
