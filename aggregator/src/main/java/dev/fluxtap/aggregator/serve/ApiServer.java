package dev.fluxtap.aggregator.serve;

import dev.fluxtap.aggregator.config.HttpConfig;
import dev.fluxtap.aggregator.observe.AggregatorMeters;
import io.micrometer.core.instrument.Counter;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * The HTTP listener (REST, /ws, /metrics, dashboard): mounts the routes of every {@link RouteModule} and puts each
 * behind the guards, in order: per-client rate limit (429), bearer token on secured routes (401), CORS headers when
 * origins are configured. TLS, the connection bound and the keep-alive idle timeout belong to the listener.
 */
public final class ApiServer {

    private static final Logger log = LoggerFactory.getLogger(ApiServer.class);

    private final HttpConfig config;
    private final BearerAuth auth;
    private final RateLimiter rateLimiter;
    private final List<RouteModule> modules;
    private final List<Route> routes = new ArrayList<>();
    private final AtomicInteger openConnections = new AtomicInteger();
    private final Counter rejected;
    private final Counter opened;
    private final Counter closed;
    private final Counter rateLimited;
    private final Counter unauthorized;
    private DisposableServer server;
    private ChannelGroup channels;

    public ApiServer(HttpConfig config, BearerAuth auth, List<RouteModule> modules, AggregatorMeters meters) {
        this.config = config;
        this.auth = auth;
        this.modules = List.copyOf(modules);
        this.rateLimiter = new RateLimiter(config.rateLimit(), config.rateLimitBurst());
        this.rejected = meters.httpConnectionsRejected();
        this.opened = meters.httpConnectionsOpened();
        this.closed = meters.httpConnectionsClosed();
        this.rateLimited = meters.httpRateLimited();
        this.unauthorized = meters.httpUnauthorized();
        meters.gauge("fluxtap.aggregator.http.connections.open", "Open HTTP connections", openConnections::get);
        modules.forEach(m -> routes.addAll(m.routes()));
    }

    public List<String> paths() {
        return routes.stream().map(Route::path).toList();
    }

    public synchronized ApiServer start() {
        channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
        HttpServer http = HttpServer.create()
                .host(config.host())
                .port(config.port())
                .channelGroup(channels)
                .idleTimeout(config.idleTimeout())
                .doOnConnection(connection -> {
                    opened.increment();
                    connection.onDispose(() -> {
                        openConnections.decrementAndGet();
                        closed.increment();
                    });
                    if (openConnections.incrementAndGet() > config.maxConnections()) {
                        rejected.increment();
                        connection.dispose();
                    }
                })
                .metrics(true, uri -> routes.stream().map(Route::path).filter(uri::equals).findFirst().orElse("other"))
                .route(r -> {
                    for (Route route : routes) {
                        r.get(route.path(), (req, res) -> guarded(route, req, res));
                    }
                    if (!config.corsOrigins().isEmpty()) {
                        r.route(req -> req.method().equals(HttpMethod.OPTIONS), this::preflight);
                    }
                });
        if (config.tls().isPresent()) {
            var spec = ListenerTls.serverSpec(config.tls().get());
            http = http.secure(s -> s.sslContext(spec));
        }
        server = http.bindNow(Duration.ofSeconds(10));
        return this;
    }

    private Publisher<Void> guarded(Route route, HttpServerRequest req, HttpServerResponse res) {
        if (rateLimiter.enabled()) {
            InetSocketAddress remote = req.remoteAddress();
            long wait = remote == null ? 0 : rateLimiter.retryAfterSeconds(remote.getAddress());
            if (wait > 0) {
                rateLimited.increment();
                return cors(req, res).status(HttpResponseStatus.TOO_MANY_REQUESTS)
                        .header(HttpHeaderNames.RETRY_AFTER, Long.toString(wait))
                        .header(HttpHeaderNames.CONTENT_TYPE, "application/json")
                        .sendString(Mono.just("{\"error\":\"rate_limited\",\"parameter\":null,\"message\":\"more than " + config.rateLimit()
                                + " requests per second from your address; retry after " + wait + "s\"}"));
            }
        }
        if (route.secured() && !auth.allows(req.requestHeaders())) {
            unauthorized.increment();
            return cors(req, res).status(HttpResponseStatus.UNAUTHORIZED)
                    .header(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer")
                    .header(HttpHeaderNames.CONTENT_TYPE, "application/json")
                    .sendString(Mono.just("{\"error\":\"unauthorized\",\"parameter\":null,"
                            + "\"message\":\"send the API token as: Authorization: Bearer <token>\"}"));
        }
        return route.handler().apply(req, cors(req, res));
    }

    /** Adds the CORS headers when the request's Origin is one of --cors-origins; nothing at all when CORS is off. */
    private HttpServerResponse cors(HttpServerRequest req, HttpServerResponse res) {
        String origin = req.requestHeaders().get(HttpHeaderNames.ORIGIN);
        if (origin != null && (config.corsOrigins().contains(origin) || config.corsOrigins().contains("*"))) {
            res.header(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin).header(HttpHeaderNames.VARY, HttpHeaderNames.ORIGIN);
        }
        return res;
    }

    private Publisher<Void> preflight(HttpServerRequest req, HttpServerResponse res) {
        return cors(req, res).status(HttpResponseStatus.NO_CONTENT)
                .header(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, "GET, OPTIONS")
                .header(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, "Authorization")
                .header(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, "600")
                .send();
    }

    public synchronized int port() {
        return server.port();
    }

    /**
     * Graceful stop: close the listening socket (no new connections), let every module end its long-lived exchanges
     * (WebSocket close 1001), then wait for in-flight exchanges until the deadline and close what is left.
     */
    public synchronized void stop(Duration timeout) {
        if (server != null) {
            long end = System.nanoTime() + timeout.toNanos();
            server.channel().close().awaitUninterruptibly(timeout.toMillis());
            modules.forEach(m -> m.drain(Duration.ofNanos(Math.max(0, end - System.nanoTime()))));
            try {
                server.disposeNow(Duration.ofNanos(Math.max(1_000_000, end - System.nanoTime())));
            } catch (IllegalStateException e) {
                log.warn("http: connections still open at the shutdown deadline of {} were closed", timeout);
            }
            server = null;
        }
    }
}
