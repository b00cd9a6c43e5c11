package dev.fluxtap.aggregator.serve.ws;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fluxtap.aggregator.serve.rest.BadParameter;
import dev.fluxtap.aggregator.serve.rest.Json;
import dev.fluxtap.aggregator.serve.rest.RestRoutes;
import dev.fluxtap.aggregator.store.FlowQuery;
import dev.fluxtap.aggregator.store.FlowStore;
import io.netty.handler.codec.http.QueryStringEncoder;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.BufferOverflowStrategy;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.websocket.WebsocketInbound;
import reactor.netty.http.websocket.WebsocketOutbound;
import reactor.util.concurrent.Queues;

/**
 * One client connection on /ws. Outbound = control messages (pong, error) merged with one stream per subscription;
 * everything a slow client cannot take is conflated (snapshots) or dropped and counted (flows), never queued without
 * bound and never pushed back onto the aggregation.
 */
final class WsSession {

    private static final Logger log = LoggerFactory.getLogger(WsSession.class);
    private static final int CONTROL_QUEUE = 64;
    private static final int MIN_INTERVAL_MS = 100;
    private static final int DEFAULT_INTERVAL_MS = 1000;
    private static final int MAX_INTERVAL_MS = 3_600_000;
    private static final int MAX_ID_LENGTH = 128;

    private record Close(int code, String reason) {
    }

    private final WsGateway gateway;
    private final WebsocketInbound in;
    private final WebsocketOutbound out;
    private final Sinks.Many<WebSocketFrame> control = Sinks.many().unicast().onBackpressureBuffer(Queues.<WebSocketFrame>get(CONTROL_QUEUE).get());
    private final Sinks.Many<Flux<WebSocketFrame>> streams = Sinks.many().unicast().onBackpressureBuffer();
    private final Map<String, Sinks.Empty<Void>> subscriptions = new ConcurrentHashMap<>();
    private final Sinks.Empty<Void> ended = Sinks.empty();
    private final AtomicReference<Close> close = new AtomicReference<>();
    /** The credential the client opened the session with, forwarded to the peers a cluster's flows come from. */
    private final String authorization;

    WsSession(WsGateway gateway, WebsocketInbound in, WebsocketOutbound out, String authorization) {
        this.gateway = gateway;
        this.in = in;
        this.out = out;
        this.authorization = authorization;
    }

    Mono<Void> run() {
        Duration idle = gateway.idleTimeout();
        AtomicLong lastFrameNanos = new AtomicLong(System.nanoTime());
        // The inbound is never cancelled by us: cancelling it makes the server close with an empty (1005) frame.
        Mono<Void> reading = in.receiveFrames()
                .doOnNext(frame -> {
                    lastFrameNanos.set(System.nanoTime());
                    onFrame(frame);
                })
                .then()
                .onErrorResume(e -> {
                    gateway.error(e.getClass().getSimpleName().contains("Corrupted") ? "too-large" : "internal");
                    log.debug("ws: inbound ended: {}", e.toString());
                    return Mono.empty();
                })
                .doFinally(s -> ended.tryEmitEmpty());
        Mono<Long> idleSignal = Flux.interval(idle.dividedBy(4), idle.dividedBy(4), gateway.scheduler())
                .filter(t -> System.nanoTime() - lastFrameNanos.get() > idle.toNanos())
                .next()
                .doOnNext(t -> close.compareAndSet(null,
                        new Close(1000, "idle timeout: no message for " + idle.toSeconds() + "s; send {\"type\":\"ping\"} to stay connected")));
        Flux<WebSocketFrame> outbound = Flux.merge(control.asFlux(), streams.asFlux().flatMap(f -> f, gateway.config().maxSubscriptions() + 1, 1))
                .takeUntilOther(Mono.firstWithSignal(gateway.shutdownSignal(), ended.asMono(), idleSignal.then()))
                .doOnNext(f -> gateway.messagesOut.increment());
        Mono<Void> writing = out.sendObject(outbound).then()
                .onErrorResume(e -> Mono.empty())
                .then(Mono.defer(() -> {
                    Close c = gateway.shuttingDown() ? new Close(1001, "server shutting down") : close.get();
                    return c == null ? Mono.<Void>empty() : out.sendClose(c.code(), c.reason()).onErrorResume(e -> Mono.empty());
                }));
        return Mono.when(reading, writing).doFinally(s -> subscriptions.values().forEach(Sinks.Empty::tryEmitEmpty));
    }

    private void onFrame(WebSocketFrame frame) {
        if (frame instanceof PingWebSocketFrame) {
            sendControl(new PongWebSocketFrame(frame.content().retain()));
        } else if (frame instanceof TextWebSocketFrame text) {
            gateway.messagesIn.increment();
            onMessage(text.text());
        } else if (!(frame instanceof PongWebSocketFrame)) {
            gateway.messagesIn.increment();
            refuse(null, "bad-message", "binary messages are not understood: send JSON text such as {\"type\":\"ping\"}");
        }
    }

    private void onMessage(String text) {
        JsonNode msg;
        try {
            msg = Json.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            refuse(null, "bad-message", "message is not valid JSON: " + e.getOriginalMessage());
            return;
        }
        if (msg == null || !msg.isObject()) {
            refuse(null, "bad-message", "message must be a JSON object such as {\"type\":\"ping\"}");
            return;
        }
        JsonNode idNode = msg.get("id");
        String id = idNode != null && idNode.isTextual() ? idNode.asText() : null;
        String type = msg.path("type").isTextual() ? msg.get("type").asText() : null;
        if (type == null) {
            refuse(id, "bad-message", "field 'type' is required: subscribe, unsubscribe or ping");
            return;
        }
        switch (type) {
            case "ping" -> sendControl(text(WsMessages.pong(id)));
            case "subscribe" -> subscribe(id, msg);
            case "unsubscribe" -> unsubscribe(id);
            default -> refuse(id, "bad-message", "unknown type '" + type + "': use subscribe, unsubscribe or ping");
        }
    }

    private void subscribe(String id, JsonNode msg) {
        if (id == null || id.isEmpty() || id.length() > MAX_ID_LENGTH) {
            refuse(null, "bad-message", "subscribe needs a string 'id' of 1 to " + MAX_ID_LENGTH + " characters");
            return;
        }
        String label = msg.path("stream").asText(null);
        WsStream stream = label == null ? null : WsStream.parse(label).orElse(null);
        if (stream == null) {
            refuse(id, "bad-message", "field 'stream' must be one of " + WsStream.NAMES + " (got " + msg.get("stream") + ")");
            return;
        }
        JsonNode interval = msg.get("intervalMs");
        if (interval != null && (!interval.canConvertToInt() || interval.asInt() < MIN_INTERVAL_MS || interval.asInt() > MAX_INTERVAL_MS)) {
            refuse(id, "bad-message", "intervalMs must be an integer between " + MIN_INTERVAL_MS + " and " + MAX_INTERVAL_MS + " (got " + interval + ")");
            return;
        }
        String query;
        try {
            query = query(msg.get("filter"));
            gateway.validate(stream, query);
        } catch (BadParameter e) {
            refuse(id, "bad-filter", "filter." + e.parameter() + ": " + e.getMessage());
            return;
        }
        if (subscriptions.containsKey(id)) {
            refuse(id, "bad-message", "subscription id '" + id + "' is already in use: unsubscribe it first or pick another id");
            return;
        }
        if (subscriptions.size() >= gateway.config().maxSubscriptions()) {
            refuse(id, "limit", "at most " + gateway.config().maxSubscriptions() + " subscriptions per connection: unsubscribe one first");
            return;
        }
        Sinks.Empty<Void> cancel = Sinks.empty();
        subscriptions.put(id, cancel);
        String idJson = WsMessages.json(id);
        Duration every = Duration.ofMillis(interval == null ? DEFAULT_INTERVAL_MS : interval.asInt());
        Flux<WebSocketFrame> frames = stream == WsStream.FLOWS ? flows(id, idJson, query, every) : snapshots(idJson, stream, query, every);
        streams.tryEmitNext(frames.takeUntilOther(cancel.asMono()));
    }

    private void unsubscribe(String id) {
        Sinks.Empty<Void> cancel = id == null ? null : subscriptions.remove(id);
        if (cancel == null) {
            refuse(id, "bad-message", "unsubscribe needs the 'id' of an active subscription (got " + (id == null ? "none" : "'" + id + "'") + ")");
            return;
        }
        cancel.tryEmitEmpty();
    }

    /** Conflated: a tick without demand is dropped, so a slow client gets the latest snapshot when it reads again. */
    private Flux<WebSocketFrame> snapshots(String idJson, WsStream stream, String query, Duration interval) {
        AtomicLong seq = new AtomicLong();
        return Flux.interval(Duration.ZERO, interval, gateway.scheduler())
                .onBackpressureDrop()
                .handle((tick, sink) -> {
                    try {
                        sink.next(text(WsMessages.data(idJson, seq.incrementAndGet(), gateway.snapshot(stream, query))));
                    } catch (RuntimeException e) {
                        gateway.error("internal");
                        log.warn("ws: {} snapshot failed: {}", stream.label(), e.toString());
                    }
                });
    }

    /**
     * The current matching flows, then every new or changed one. Between the store and the socket sits a buffer of
     * {@code --ws-flow-buffer} updates; what does not fit is dropped, counted, and announced with {@code lagged}.
     *
     * <p>The updates are this instance's. While peers are live (a cluster) and the filter does not ask for
     * {@code scope=local}, the whole answer of {@code GET /api/v1/flows} (fan-out) comes first and again every
     * {@code interval}, conflated: a client replaces its flows with each whole answer (it has {@code complete}) and
     * merges the updates in between.
     */
    private Flux<WebSocketFrame> flows(String id, String idJson, String query, Duration interval) {
        FlowQuery filter = RestRoutes.flowQuery(query);
        boolean cluster = !RestRoutes.localScope(query);
        AtomicLong seq = new AtomicLong();
        AtomicLong dropped = new AtomicLong();
        Mono<Payload> own = Mono.fromCallable(() -> new Payload(gateway.snapshot(WsStream.FLOWS, query), 0));
        // The first message is always a whole answer: this instance's own when the cluster's fan-out failed.
        Mono<Payload> initial = Mono.defer(() -> cluster && gateway.hasPeers() ? clusterFlows(query).switchIfEmpty(own) : own);
        Flux<Payload> whole = !cluster ? Flux.empty() : Flux.interval(interval, interval, gateway.scheduler())
                .onBackpressureDrop()
                .filter(tick -> gateway.hasPeers())
                .concatMap(tick -> clusterFlows(query), 1);
        Flux<Payload> live = gateway.flowUpdates()
                .filter(u -> FlowStore.matches(u.flow(), filter))
                .onBackpressureBuffer(gateway.config().flowBuffer(), f -> {
                    dropped.incrementAndGet();
                    gateway.laggedDropped.increment();
                }, BufferOverflowStrategy.DROP_LATEST)
                .map(u -> new Payload(u.json(), dropped.getAndSet(0)));
        // live is subscribed at once: nothing falls between the answer and the updates. One item in flight between the
        // buffer and the socket (prefetch 1), so the buffer above stays the bound. Numbered as sent.
        return Flux.mergeSequential(1, initial, Flux.merge(1, live, whole)).concatMapIterable(p -> frames(id, idJson, seq, p), 1);
    }

    /** A flows message's payload, and the updates dropped just before it. */
    private record Payload(String json, long droppedBefore) {
    }

    /** The cluster's answer; a fan-out that fails is counted and skipped (the next one comes). */
    private Mono<Payload> clusterFlows(String query) {
        return gateway.clusterFlows(query, authorization)
                .map(json -> new Payload(json, 0))
                .onErrorResume(e -> {
                    gateway.error("internal");
                    log.warn("ws: flows of the cluster failed: {}", e.toString());
                    return Mono.empty();
                });
    }

    private static Iterable<WebSocketFrame> frames(String id, String idJson, AtomicLong seq, Payload p) {
        WebSocketFrame data = text(WsMessages.data(idJson, seq.incrementAndGet(), p.json()));
        return p.droppedBefore() == 0 ? List.of(data) : List.of(text(WsMessages.lagged(id, p.droppedBefore())), data);
    }

    /** The filter object as the query string of the matching REST endpoint; values must be strings, numbers or booleans. */
    private static String query(JsonNode filter) {
        if (filter == null || filter.isNull()) {
            return "";
        }
        if (!filter.isObject()) {
            throw new BadParameter("filter", "filter must be an object of query parameters, such as {\"by\":\"host\"}");
        }
        QueryStringEncoder enc = new QueryStringEncoder("");
        for (Iterator<Map.Entry<String, JsonNode>> it = filter.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                throw new BadParameter(e.getKey(), e.getKey() + " must be a string, number or boolean");
            }
            enc.addParam(e.getKey(), e.getValue().asText());
        }
        String s = enc.toString();
        return s.startsWith("?") ? s.substring(1) : s;
    }

    private void refuse(String id, String reason, String message) {
        gateway.error(reason);
        sendControl(text(WsMessages.error(id, message)));
    }

    private void sendControl(WebSocketFrame frame) {
        if (control.tryEmitNext(frame).isFailure()) {
            frame.release();
            gateway.error("control-overflow");
        }
    }

    private static WebSocketFrame text(String json) {
        return new TextWebSocketFrame(json);
    }
}
