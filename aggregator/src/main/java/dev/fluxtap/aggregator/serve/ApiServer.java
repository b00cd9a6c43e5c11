package dev.fluxtap.aggregator.serve;

import dev.fluxtap.aggregator.config.HttpConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import dev.fluxtap.aggregator.observe.AggregatorMeters;
import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * The HTTP listener: mounts the routes of every {@link RouteModule} and wraps each secured one with the guards
 * (bearer token now; TLS is a property of the listener and fits in {@link #start()}).
 */
public final class ApiServer {

    private final HttpConfig config;
    private final BearerAuth auth;
    private final List<Route> routes = new ArrayList<>();
    private final AtomicInteger openConnections = new AtomicInteger();
    private final Counter rejected;
    private DisposableServer server;

    public ApiServer(HttpConfig config, BearerAuth auth, List<RouteModule> modules, AggregatorMeters meters) {
        this.config = config;
        this.auth = auth;
        this.rejected = meters.httpConnectionsRejected();
        meters.gauge("fluxtap.aggregator.http.connections.open", "Open HTTP connections", openConnections::get);
        modules.forEach(m -> routes.addAll(m.routes()));
    }

    public List<String> paths() {
        return routes.stream().map(Route::path).toList();
    }

    public synchronized ApiServer start() {
        server = HttpServer.create()
                .host(config.host())
                .port(config.port())
                .idleTimeout(Duration.ofSeconds(60))
                .doOnConnection(connection -> {
                    connection.onDispose(openConnections::decrementAndGet);
                    if (openConnections.incrementAndGet() > config.maxConnections()) {
                        rejected.increment();
                        connection.dispose();
                    }
                })
                .metrics(true, uri -> routes.stream().map(Route::path).filter(uri::equals).findFirst().orElse("other"))
                .route(r -> {
                    for (Route route : routes) {
                        r.get(route.path(), (req, res) -> {
                            if (route.secured() && !auth.allows(req.requestHeaders().get(HttpHeaderNames.AUTHORIZATION))) {
                                return res.status(HttpResponseStatus.UNAUTHORIZED)
                                        .header(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer")
                                        .header(HttpHeaderNames.CONTENT_TYPE, "application/json")
                                        .sendString(Mono.just("{\"error\":\"unauthorized\",\"parameter\":null,"
                                                + "\"message\":\"send the API token as: Authorization: Bearer <token>\"}"));
                            }
                            return route.handler().apply(req, res);
                        });
                    }
                })
                .bindNow(Duration.ofSeconds(10));
        return this;
    }

    public synchronized int port() {
        return server.port();
    }

    public synchronized void stop(Duration timeout) {
        if (server != null) {
            server.disposeNow(timeout);
            server = null;
        }
    }
}
