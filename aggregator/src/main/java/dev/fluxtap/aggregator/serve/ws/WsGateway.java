package dev.fluxtap.aggregator.serve.ws;

import dev.fluxtap.aggregator.config.HttpConfig.WsConfig;
import dev.fluxtap.aggregator.flow.Flow;
import dev.fluxtap.aggregator.observe.AggregatorMeters;
import dev.fluxtap.aggregator.serve.BearerAuth;
import dev.fluxtap.aggregator.serve.Route;
import dev.fluxtap.aggregator.serve.RouteModule;
import dev.fluxtap.aggregator.serve.rest.RestRoutes;
import io.micrometer.core.instrument.Counter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.WebsocketServerSpec;

/**
 * The WebSocket gateway at {@code /ws}: live subscriptions to the REST views (see docs/WEBSOCKET.md). Payloads are
 * the REST answers, computed by {@link RestRoutes} and shared between the subscribers of the same query within a
 * short interval. On {@link #drain(Duration)} every session ends its streams and closes with 1001.
 */
public final class WsGateway implements RouteModule {

    public static final String PATH = "/ws";
    /** The subprotocol the server selects; a client may add {@code bearer.<token>} beside it (see BearerAuth). */
    public static final String SUBPROTOCOL = "fluxtap.v1";
    private static final Logger log = LoggerFactory.getLogger(WsGateway.class);
    private static final long SHARE_NANOS = Duration.ofMillis(50).toNanos();
    private static final int MAX_SHARED_QUERIES = 1000;

    private final RestRoutes rest;
    private final Flux<FlowUpdate> flowUpdates;
    private final WsConfig config;
    private final Duration idleTimeout;
    private final Scheduler scheduler;
    private final Sinks.Empty<Void> shutdown = Sinks.empty();
    private final AtomicInteger open = new AtomicInteger();
    private final Map<String, Snapshot> snapshots = new ConcurrentHashMap<>();
    private volatile boolean shuttingDown;
    final Counter opened;
    final Counter closed;
    final Counter messagesIn;
    final Counter messagesOut;
    final Counter laggedDropped;
    private final Map<String, Counter> errors = new ConcurrentHashMap<>();
    private final AggregatorMeters meters;

    private record Snapshot(long atNanos, String json) {
    }

    public WsGateway(RestRoutes rest, Flux<Flow> flowUpdates, WsConfig config, Duration idleTimeout, Scheduler scheduler,
                     AggregatorMeters meters) {
        this.rest = rest;
        // One subscription to the store for all sessions: each update is wrapped once, so its JSON is built once.
        this.flowUpdates = flowUpdates.map(FlowUpdate::new).share();
        this.config = config;
        this.idleTimeout = idleTimeout;
        this.scheduler = scheduler;
        this.meters = meters;
        this.opened = meters.wsConnectionsOpened();
        this.closed = meters.wsConnectionsClosed();
        this.messagesIn = meters.wsMessagesIn();
        this.messagesOut = meters.wsMessagesOut();
        this.laggedDropped = meters.wsLaggedDropped();
        meters.gauge("fluxtap.aggregator.ws.connections", "Open WebSocket sessions on /ws", open::get);
    }

    @Override
    public List<Route> routes() {
        return List.of(new Route(PATH, true, this::upgrade));
    }

    private Publisher<Void> upgrade(HttpServerRequest req, HttpServerResponse res) {
        if (shuttingDown) {
            return res.status(HttpResponseStatus.SERVICE_UNAVAILABLE).sendString(Mono.just("server shutting down\n")).then();
        }
        if (!req.requestHeaders().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
            return res.status(HttpResponseStatus.UPGRADE_REQUIRED).header(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET)
                    .sendString(Mono.just("/ws is a WebSocket endpoint: connect with a WebSocket client (see docs/WEBSOCKET.md)\n")).then();
        }
        WebsocketServerSpec spec = WebsocketServerSpec.builder().protocols(SUBPROTOCOL).maxFramePayloadLength(config.maxMessageBytes())
                .handlePing(true).build();
        String authorization = BearerAuth.authorization(req.requestHeaders()); // for the flows fan-out to peers
        return res.sendWebsocket((in, out) -> {
            open.incrementAndGet();
            opened.increment();
            return new WsSession(this, in, out, authorization).run().doFinally(s -> {
                open.decrementAndGet();
                closed.increment();
            });
        }, spec);
    }

    WsConfig config() {
        return config;
    }

    Duration idleTimeout() {
        return idleTimeout;
    }

    Scheduler scheduler() {
        return scheduler;
    }

    Flux<FlowUpdate> flowUpdates() {
        return flowUpdates;
    }

    Mono<Void> shutdownSignal() {
        return shutdown.asMono();
    }

    boolean shuttingDown() {
        return shuttingDown;
    }

    void error(String reason) {
        errors.computeIfAbsent(reason, meters::wsErrors).increment();
    }

    /** Validates a subscription's filter now, so a bad one is refused at subscribe time; throws BadParameter. */
    void validate(WsStream stream, String query) {
        if (stream == WsStream.FLOWS) {
            RestRoutes.flowQuery(query);
        } else {
            rest.answer(stream.path(), query);
        }
    }

    /** True when live peers hold flows too: a flows subscription then gets the cluster's answer periodically. */
    boolean hasPeers() {
        return rest.hasPeers();
    }

    /** The payload of the flows endpoint's answer for the whole cluster (fan-out to the live peers). */
    Mono<String> clusterFlows(String query, String authorization) {
        return rest.flows(query, authorization).map(WsMessages::json);
    }

    /** The JSON payload of a snapshot stream; subscribers of the same query within 50 ms share one computation. */
    String snapshot(WsStream stream, String query) {
        String key = stream.path() + "?" + query;
        long now = System.nanoTime();
        Snapshot s = snapshots.get(key);
        if (s == null || now - s.atNanos() > SHARE_NANOS) {
            if (snapshots.size() >= MAX_SHARED_QUERIES) {
                snapshots.clear();
            }
            s = new Snapshot(now, WsMessages.json(rest.answer(stream.path(), query)));
            snapshots.put(key, s);
        }
        return s.json();
    }

    int openSessions() {
        return open.get();
    }

    /**
     * Refuses new sessions, ends every stream and sends close 1001 to each client, then waits until the sessions
     * are gone or the deadline passes.
     */
    @Override
    public void drain(Duration deadline) {
        shuttingDown = true;
        shutdown.tryEmitEmpty();
        long end = System.nanoTime() + deadline.toNanos();
        Mono.fromCallable(open::get).filter(n -> n == 0)
                .repeatWhenEmpty(r -> r.delayElements(Duration.ofMillis(10), scheduler))
                .timeout(Duration.ofNanos(Math.max(1, end - System.nanoTime())), scheduler)
                .onErrorResume(e -> {
                    log.warn("ws: {} sessions still open at the shutdown deadline of {}", open.get(), deadline);
                    return Mono.empty();
                })
                .block();
    }
}
