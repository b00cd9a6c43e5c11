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

    public void gauge(String name, String description, Supplier<Number> value) {
        Gauge.builder(name, value).description(description).register(registry);
    }
}
