package dev.fluxtap.aggregator.serve.rest;

import dev.fluxtap.aggregator.serve.Route;
import dev.fluxtap.aggregator.serve.RouteModule;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;

/** Operations endpoints, outside the token guard: /metrics (Prometheus), /liveness, /readiness, /health (JSON). */
public final class OpsRoutes implements RouteModule {

    private final PrometheusMeterRegistry registry;
    private final BooleanSupplier ready;
    private final Supplier<Map<String, Object>> health;

    public OpsRoutes(PrometheusMeterRegistry registry, BooleanSupplier ready, Supplier<Map<String, Object>> health) {
        this.registry = registry;
        this.ready = ready;
        this.health = health;
    }

    @Override
    public List<Route> routes() {
        return List.of(
                new Route("/metrics", false, (req, res) -> res.header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                        .sendString(Mono.fromCallable(registry::scrape)).then()),
                new Route("/liveness", false, (req, res) -> Json.ok(res, Map.of("status", "up"))),
                new Route("/readiness", false, (req, res) -> ready.getAsBoolean()
                        ? Json.ok(res, Map.of("status", "ready"))
                        : Json.send(res, HttpResponseStatus.SERVICE_UNAVAILABLE, Map.of("status", "not-ready"))),
                new Route("/health", false, (req, res) -> Json.ok(res, health.get())));
    }
}
