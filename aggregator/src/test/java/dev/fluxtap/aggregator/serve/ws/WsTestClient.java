package dev.fluxtap.aggregator.serve.ws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;

/** A real Reactor Netty WebSocket client for the tests: records every message and the close status it got. */
public final class WsTestClient implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    final List<JsonNode> all = new CopyOnWriteArrayList<>();
    final CompletableFuture<WebSocketCloseStatus> closeStatus = new CompletableFuture<>();
    final CompletableFuture<Throwable> failure = new CompletableFuture<>();
    private final LinkedBlockingQueue<JsonNode> unread = new LinkedBlockingQueue<>();
    private final Sinks.Many<String> outgoing = Sinks.many().unicast().onBackpressureBuffer();
    private final Disposable connection;

    WsTestClient(HttpClient http, String url, String authorization) {
        connection = http.headers(h -> {
                    if (authorization != null) {
                        h.set("Authorization", authorization);
                    }
                })
                .websocket(WebsocketClientSpec.builder().protocols(WsGateway.SUBPROTOCOL).maxFramePayloadLength(16 * 1024 * 1024).build())
                .uri(url)
                .handle((in, out) -> {
                    in.receiveCloseStatus().subscribe(closeStatus::complete);
                    Mono<Void> reading = in.receive().asString().doOnNext(s -> {
                        JsonNode n = parse(s);
                        all.add(n);
                        unread.add(n);
                    }).then();
                    return Mono.when(reading, out.sendString(outgoing.asFlux()).then());
                })
                .subscribe(v -> { }, failure::complete, () -> failure.complete(null));
    }

    public static WsTestClient connect(int port, String token) {
        return new WsTestClient(HttpClient.create(), "ws://127.0.0.1:" + port + "/ws", token == null ? null : "Bearer " + token);
    }

    public void send(String json) {
        outgoing.emitNext(json, Sinks.EmitFailureHandler.busyLooping(Duration.ofSeconds(1)));
    }

    /** The next received message that matches, skipping others; fails after the timeout. */
    public JsonNode next(Predicate<JsonNode> match, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                JsonNode n = unread.poll(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (n == null) {
                    throw new AssertionError("no matching message within " + timeout + "; received " + all.size() + ": "
                            + all.subList(Math.max(0, all.size() - 5), all.size()));
                }
                if (match.test(n)) {
                    return n;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    JsonNode next(String type, String id) {
        return next(n -> type.equals(n.path("type").asText()) && (id == null || id.equals(n.path("id").asText())), Duration.ofSeconds(20));
    }

    private static JsonNode parse(String s) {
        try {
            return JSON.readTree(s);
        } catch (java.io.IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        connection.dispose();
    }
}
