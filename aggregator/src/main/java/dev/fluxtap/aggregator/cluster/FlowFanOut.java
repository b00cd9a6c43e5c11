package dev.fluxtap.aggregator.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fluxtap.aggregator.observe.AggregatorMeters;
import io.micrometer.core.instrument.Counter;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

/**
 * Flow queries for the whole cluster by fan-out: the instance asked answers from its own store and asks every live
 * peer the same query with {@code scope=local} (so a peer never fans out again), each bounded by the fan-out timeout,
 * and merges. A peer that does not answer in time or fails is named in {@code missingPeers} and the answer is marked
 * incomplete rather than failing. The caller's Authorization header is forwarded, as peers check the same token.
 *
 * <p>Fan-out rather than routing: a flow query filters by IP, port, protocol, agent or state, none of which names the
 * packets partition a flow lives in (that is a hash of the whole 5-tuple), so no single owner can be routed to; and
 * the ownership of partitions moves on every rebalance, which routing would have to track.
 */
public final class FlowFanOut {

    private static final Logger log = LoggerFactory.getLogger(FlowFanOut.class);

    /** The merged flows (as JSON objects of the flows endpoint), and the peers that did not answer. */
    public record Result(List<JsonNode> flows, List<String> missingPeers) {
    }

    private final ClusterView view;
    private final Duration timeout;
    private final ObjectMapper mapper;
    private final HttpClient client;
    private final Counter timeouts;
    private final Counter statusFailures;
    private final Counter errors;

    public FlowFanOut(ClusterView view, Duration timeout, ObjectMapper mapper, AggregatorMeters meters) {
        this.view = view;
        this.timeout = timeout;
        this.mapper = mapper;
        this.client = HttpClient.create().responseTimeout(timeout);
        this.timeouts = meters.fanoutFailures("timeout");
        this.statusFailures = meters.fanoutFailures("status");
        this.errors = meters.fanoutFailures("error");
    }

    /** True when there is anyone to ask. */
    public boolean hasPeers() {
        return !view.peers().isEmpty();
    }

    /**
     * @param rawQuery      the query string of the request, without '?'
     * @param authorization the caller's Authorization header, or null
     * @param local         this instance's own answer (flow JSON objects)
     * @param limit         flows in the merged answer at most
     */
    public Mono<Result> query(String rawQuery, String authorization, List<?> local, int limit) {
        String peerQuery = Arrays.stream(rawQuery.split("&")).filter(p -> !p.isEmpty() && !p.startsWith("scope="))
                .collect(Collectors.joining("&"));
        peerQuery = (peerQuery.isEmpty() ? "" : peerQuery + "&") + "scope=local";
        List<JsonNode> own = local.stream().map(f -> (JsonNode) mapper.valueToTree(f)).toList();
        List<Mono<PeerAnswer>> calls = new ArrayList<>();
        for (ClusterView.Member peer : view.peers()) {
            calls.add(ask(peer, peerQuery, authorization));
        }
        return Flux.merge(calls).collectList().map(answers -> {
            Map<String, JsonNode> byId = new LinkedHashMap<>();
            own.forEach(f -> keepNewest(byId, f));
            List<String> missing = new ArrayList<>();
            for (PeerAnswer a : answers) {
                if (a.flows() == null) {
                    missing.add(a.instanceId());
                } else {
                    a.flows().forEach(f -> keepNewest(byId, f));
                }
            }
            List<JsonNode> merged = new ArrayList<>(byId.values());
            merged.sort(Comparator.comparing((JsonNode f) -> Instant.parse(f.get("lastSeen").asText())).reversed()
                    .thenComparing(f -> f.get("flowId").asText()));
            missing.sort(Comparator.naturalOrder());
            return new Result(merged.size() > limit ? List.copyOf(merged.subList(0, limit)) : merged, missing);
        });
    }

    private record PeerAnswer(String instanceId, List<JsonNode> flows) {
    }

    private Mono<PeerAnswer> ask(ClusterView.Member peer, String query, String authorization) {
        String url = peer.apiUrl().replaceAll("/+$", "") + "/api/v1/flows?" + query;
        return client.headers(h -> {
                    if (authorization != null) {
                        h.set(HttpHeaderNames.AUTHORIZATION, authorization);
                    }
                })
                .get().uri(url)
                .responseSingle((res, body) -> res.status().code() == 200 ? body.asByteArray()
                        : Mono.error(new IllegalStateException("HTTP " + res.status().code())))
                .timeout(timeout)
                .map(bytes -> {
                    try {
                        List<JsonNode> flows = new ArrayList<>();
                        mapper.readTree(bytes).get("flows").forEach(flows::add);
                        return new PeerAnswer(peer.instanceId(), flows);
                    } catch (java.io.IOException | RuntimeException e) {
                        throw new IllegalStateException("unreadable answer: " + e.getMessage(), e);
                    }
                })
                .onErrorResume(e -> {
                    Counter c = e instanceof TimeoutException || e instanceof io.netty.handler.timeout.ReadTimeoutException ? timeouts
                            : e.getMessage() != null && e.getMessage().startsWith("HTTP ") ? statusFailures : errors;
                    c.increment();
                    log.warn("cluster: flow query to peer {} at {} failed: {}", peer.instanceId(), peer.apiUrl(), e.toString());
                    return Mono.just(new PeerAnswer(peer.instanceId(), null));
                });
    }

    /** A flow can be in two stores for a moment after a rebalance: the newest view wins, an ended one over an open one. */
    private static void keepNewest(Map<String, JsonNode> byId, JsonNode f) {
        byId.merge(f.get("flowId").asText(), f, (a, b) -> {
            int c = Instant.parse(a.get("lastSeen").asText()).compareTo(Instant.parse(b.get("lastSeen").asText()));
            if (c != 0) {
                return c > 0 ? a : b;
            }
            return b.get("ended").asBoolean() && !a.get("ended").asBoolean() ? b : a;
        });
    }
}
