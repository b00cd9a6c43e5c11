package dev.fluxtap.aggregator.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.Supplier;

/**
 * Every meter of the aggregator, declared in one place (name, tags, description). Prometheus names add
 * {@code _total} to counters: {@code fluxtap.aggregator.records.in} is {@code fluxtap_aggregator_records_in_total}.
 */
public final class AggregatorMeters {

    private final MeterRegistry registry;

    public AggregatorMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** Records received from a topic (ingest in). */
    public Counter recordsIn(String topic) {
        return Counter.builder("fluxtap.aggregator.records.in").tag("topic", topic)
                .description("Kafka records received, by source topic").register(registry);
    }

    /** Records refused by the decoder (ingest error); each goes to the deadletter topic. */
    public Counter decodeErrors(String topic, String reason) {
        return Counter.builder("fluxtap.aggregator.decode.errors").tag("topic", topic).tag("reason", reason)
                .description("Records that could not be decoded, by topic and reason (bad-header, unknown-schema, corrupt-body, wrong-type)")
                .register(registry);
    }

    public Counter deadlettered(String reason) {
        return Counter.builder("fluxtap.aggregator.deadletter.sent").tag("reason", reason)
                .description("Records written to fluxtap.deadletter.v1, by reason").register(registry);
    }

    public Counter deadletterFailures() {
        return Counter.builder("fluxtap.aggregator.deadletter.failures")
                .description("Deadletter writes that failed (the record is then only counted and logged)").register(registry);
    }

    public Counter applyErrors(String topic) {
        return Counter.builder("fluxtap.aggregator.apply.errors").tag("topic", topic)
                .description("Decoded records whose processing threw; skipped and counted").register(registry);
    }

    public Counter batchesApplied() {
        return Counter.builder("fluxtap.aggregator.batches.applied").description("Packet batches applied to the flow tables (ingest out)")
                .register(registry);
    }

    public Counter summariesApplied() {
        return Counter.builder("fluxtap.aggregator.summaries.applied").description("Packet summaries applied to the flow tables")
                .register(registry);
    }

    public Counter batchesLost(String agent) {
        return Counter.builder("fluxtap.aggregator.batches.lost").tag("agent", agent)
                .description("Batches missing from an agent's sequence (gaps), by agent").register(registry);
    }

    public Counter batchesDuplicate(String agent) {
        return Counter.builder("fluxtap.aggregator.batches.duplicate").tag("agent", agent)
                .description("Redelivered or duplicate batches dropped by the sequence check, by agent").register(registry);
    }

    public Counter flowsExported(String type) {
        return Counter.builder("fluxtap.aggregator.flows.exported").tag("type", type)
                .description("Flow records sent to fluxtap.flows.v1 and acknowledged, by record type").register(registry);
    }

    public Counter flowSendFailures() {
        return Counter.builder("fluxtap.aggregator.flows.send.failures")
                .description("Flow records Kafka did not accept after the producer's retries").register(registry);
    }

    public Counter storeEvictions(String cause) {
        return Counter.builder("fluxtap.aggregator.store.evictions").tag("cause", cause)
                .description("Flows removed from the store: retention (older than the window) or capacity (max flows)").register(registry);
    }

    public Counter httpConnectionsRejected() {
        return Counter.builder("fluxtap.aggregator.http.connections.rejected")
                .description("HTTP connections closed at once because --http-max-connections were open").register(registry);
    }

    public Counter httpConnectionsOpened() {
        return Counter.builder("fluxtap.aggregator.http.connections.opened")
                .description("HTTP connections accepted (REST, WebSocket and /metrics share the listener)").register(registry);
    }

    public Counter httpConnectionsClosed() {
        return Counter.builder("fluxtap.aggregator.http.connections.closed").description("HTTP connections closed").register(registry);
    }

    public Counter httpRateLimited() {
        return Counter.builder("fluxtap.aggregator.http.rate.limited")
                .description("Requests answered 429 because their client address exceeded --rate-limit").register(registry);
    }

    public Counter httpUnauthorized() {
        return Counter.builder("fluxtap.aggregator.http.unauthorized")
                .description("Requests to secured routes (including WebSocket upgrades) refused 401 for a missing or wrong token")
                .register(registry);
    }

    public Counter wsConnectionsOpened() {
        return Counter.builder("fluxtap.aggregator.ws.connections.opened").description("WebSocket sessions opened on /ws").register(registry);
    }

    public Counter wsConnectionsClosed() {
        return Counter.builder("fluxtap.aggregator.ws.connections.closed").description("WebSocket sessions ended").register(registry);
    }

    /** Client messages received on /ws (gateway in). */
    public Counter wsMessagesIn() {
        return Counter.builder("fluxtap.aggregator.ws.messages.in").description("WebSocket messages received from clients").register(registry);
    }

    /** Messages sent to clients on /ws (gateway out). */
    public Counter wsMessagesOut() {
        return Counter.builder("fluxtap.aggregator.ws.messages.out")
                .description("WebSocket messages sent to clients (data, error, lagged, pong)").register(registry);
    }

    public Counter wsLaggedDropped() {
        return Counter.builder("fluxtap.aggregator.ws.lagged.dropped")
                .description("Flow updates dropped for WebSocket clients whose per-subscription buffer was full (reported to them as lagged)")
                .register(registry);
    }

    /** Gateway errors: bad-message, bad-filter, limit (too many subscriptions), too-large, control-overflow, internal. */
    public Counter wsErrors(String reason) {
        return Counter.builder("fluxtap.aggregator.ws.errors").tag("reason", reason)
                .description("WebSocket client messages refused or failures, by reason").register(registry);
    }

    /** Partials this instance sent to fluxtap.aggregates.v1: result ok or failed. */
    public Counter partialsPublished(String result) {
        return Counter.builder("fluxtap.aggregator.cluster.partials.published").tag("result", result)
                .description("Partial aggregates this instance sent to fluxtap.aggregates.v1, by result (ok, failed)").register(registry);
    }

    /** Partials of peers read from fluxtap.aggregates.v1: result ok or bad (undecodable). */
    public Counter partialsReceived(String result) {
        return Counter.builder("fluxtap.aggregator.cluster.partials.received").tag("result", result)
                .description("Partial aggregates of peers read from fluxtap.aggregates.v1, by result (ok, bad, other-group: another deployment's, ignored)").register(registry);
    }

    public Counter peersExpired() {
        return Counter.builder("fluxtap.aggregator.cluster.peers.expired")
                .description("Peers dropped from global answers because their latest partial was older than --peer-timeout").register(registry);
    }

    /** Flow-query fan-out calls to peers that failed: reason timeout, status (a non-200 answer) or error. */
    public Counter fanoutFailures(String reason) {
        return Counter.builder("fluxtap.aggregator.cluster.fanout.failures").tag("reason", reason)
                .description("Flow-query fan-out calls to peers that did not answer in time or failed (the answer is marked incomplete)")
                .register(registry);
    }

    public void gauge(String name, String description, Supplier<Number> value) {
        Gauge.builder(name, value).description(description).register(registry);
    }
}
