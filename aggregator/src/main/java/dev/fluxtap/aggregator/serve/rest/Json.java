package dev.fluxtap.aggregator.serve.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerResponse;

/** JSON responses (camelCase from the record components) and the error shape. */
public final class Json {

    public static final ObjectMapper MAPPER = new ObjectMapper()
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .setDefaultPropertyInclusion(JsonInclude.Include.ALWAYS);

    static Publisher<Void> ok(HttpServerResponse res, Object body) {
        return send(res, HttpResponseStatus.OK, body);
    }

    static Publisher<Void> send(HttpServerResponse res, HttpResponseStatus status, Object body) {
        try {
            byte[] bytes = MAPPER.writeValueAsBytes(body);
            return res.status(status).header(HttpHeaderNames.CONTENT_TYPE, "application/json")
                    .header(HttpHeaderNames.CACHE_CONTROL, "no-store")
                    .sendByteArray(Mono.just(bytes)).then();
        } catch (JsonProcessingException e) {
            return error(res, HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal", null, "response could not be serialised");
        }
    }

    static Publisher<Void> error(HttpServerResponse res, HttpResponseStatus status, String error, String parameter, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("parameter", parameter);
        body.put("message", message);
        return send(res, status, body);
    }

    static String iso(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L).toString();
    }

    static String isoOrNull(Long micros) {
        return micros == null ? null : iso(micros);
    }

    private Json() {
    }
}
