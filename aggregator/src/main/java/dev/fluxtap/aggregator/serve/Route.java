package dev.fluxtap.aggregator.serve;

import java.util.function.BiFunction;
import org.reactivestreams.Publisher;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * One GET route. {@code secured} routes pass through the server's guards (bearer token) before the handler.
 */
public record Route(String path, boolean secured, BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> handler) {
}
