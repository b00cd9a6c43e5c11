package dev.fluxtap.aggregator.serve.web;

import dev.fluxtap.aggregator.serve.Route;
import dev.fluxtap.aggregator.serve.RouteModule;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * The embedded dashboard: {@code /} and every client-side route (a path without a dot outside the API and operations
 * prefixes) answer {@code index.html}; {@code /assets/<hash>/...} and {@code /vendor/...} answer the bundled files.
 * Anything else, and any path with a {@code ..} segment (encoded or not), answers 404. Not behind the token guard: the
 * page must load to ask for the token; the data it shows comes from the guarded API.
 * Mount this module last: its catch-all route would otherwise shadow the routes after it.
 */
public final class WebRoutes implements RouteModule {

    /** Paths the fallback never claims: they belong to the API, the WebSocket gateway and the operations endpoints. */
    static final List<String> RESERVED = List.of("/api", "/ws", "/metrics", "/liveness", "/readiness", "/health");
    static final String IMMUTABLE = "public, max-age=31536000, immutable";
    static final String REVALIDATE = "no-cache";

    private final WebAssets assets;

    public WebRoutes(WebAssets assets) {
        this.assets = assets;
    }

    public WebRoutes() {
        this(WebAssets.load());
    }

    @Override
    public List<Route> routes() {
        return List.of(
                new Route("/", false, (req, res) -> send(req, res, assets.index(), REVALIDATE)),
                new Route("/**", false, this::serve));
    }

    private Publisher<Void> serve(HttpServerRequest req, HttpServerResponse res) {
        String path;
        try {
            path = QueryStringDecoder.decodeComponent(req.fullPath(), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException badEscape) {
            return notFound(res);
        }
        if (!safe(path) || reserved(path)) {
            return notFound(res);
        }
        var asset = assets.find(path);
        if (asset.isPresent()) {
            return send(req, res, asset.get(), IMMUTABLE);
        }
        String last = path.substring(path.lastIndexOf('/') + 1);
        return last.contains(".") || path.startsWith("/assets/") || path.startsWith("/vendor/")
                ? notFound(res)
                : send(req, res, assets.index(), REVALIDATE);
    }

    /** Rejects dot segments, backslashes and control characters: no path may climb out of the asset set. */
    static boolean safe(String path) {
        if (!path.startsWith("/") || path.indexOf('\\') >= 0) {
            return false;
        }
        for (int i = 0; i < path.length(); i++) {
            if (path.charAt(i) < 0x20) {
                return false;
            }
        }
        for (String segment : path.split("/", -1)) {
            if (segment.equals("..") || segment.equals(".")) {
                return false;
            }
        }
        return true;
    }

    static boolean reserved(String path) {
        for (String prefix : RESERVED) {
            if (path.equals(prefix) || path.startsWith(prefix + "/")) {
                return true;
            }
        }
        return false;
    }

    private static Publisher<Void> send(HttpServerRequest req, HttpServerResponse res, WebAssets.Asset asset, String cacheControl) {
        res.header(HttpHeaderNames.CACHE_CONTROL, cacheControl)
                .header(HttpHeaderNames.ETAG, asset.etag())
                .header(HttpHeaderNames.VARY, HttpHeaderNames.ACCEPT_ENCODING)
                .header("X-Content-Type-Options", "nosniff");
        String ifNoneMatch = req.requestHeaders().get(HttpHeaderNames.IF_NONE_MATCH);
        if (ifNoneMatch != null && ifNoneMatch.contains(asset.etag())) {
            return res.status(HttpResponseStatus.NOT_MODIFIED).send();
        }
        res.header(HttpHeaderNames.CONTENT_TYPE, asset.contentType());
        if (acceptsGzip(req.requestHeaders().get(HttpHeaderNames.ACCEPT_ENCODING))) {
            return res.header(HttpHeaderNames.CONTENT_ENCODING, HttpHeaderValues.GZIP)
                    .header(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(asset.gzipped().length))
                    .sendByteArray(Mono.just(asset.gzipped())).then();
        }
        return res.header(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(asset.bytes().length))
                .sendByteArray(Mono.just(asset.bytes())).then();
    }

    static boolean acceptsGzip(String acceptEncoding) {
        if (acceptEncoding == null) {
            return false;
        }
        for (String part : acceptEncoding.toLowerCase(Locale.ROOT).split(",")) {
            String[] codingAndQ = part.trim().split(";");
            if (codingAndQ[0].trim().equals("gzip") || codingAndQ[0].trim().equals("*")) {
                return codingAndQ.length < 2 || !codingAndQ[1].replace(" ", "").matches("q=0(\\.0*)?");
            }
        }
        return false;
    }

    private static Publisher<Void> notFound(HttpServerResponse res) {
        return res.status(HttpResponseStatus.NOT_FOUND).header(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                .header(HttpHeaderNames.CACHE_CONTROL, REVALIDATE)
                .sendString(Mono.just("not found\n")).then();
    }
}
