package dev.fluxtap.aggregator.config;

import java.time.Duration;

/** Everything the aggregator is configured with; each part validates itself and names the flag of a bad value. */
public record AggregatorConfig(KafkaConfig kafka, FlowConfig flows, StoreConfig store, TopKConfig topk, HttpConfig http,
                               Duration shutdownTimeout) {

    public AggregatorConfig {
        if (kafka == null || flows == null || store == null || topk == null || http == null) {
            throw new IllegalArgumentException("every part of the aggregator configuration is required");
        }
        Settings.positive("shutdown-timeout", shutdownTimeout);
    }

    public static AggregatorConfig defaults() {
        return new AggregatorConfig(KafkaConfig.defaults(), FlowConfig.defaults(), StoreConfig.defaults(), TopKConfig.defaults(),
                HttpConfig.defaults(), Duration.ofSeconds(15));
    }

    public AggregatorConfig withKafka(KafkaConfig k) {
        return new AggregatorConfig(k, flows, store, topk, http, shutdownTimeout);
    }

    public AggregatorConfig withFlows(FlowConfig f) {
        return new AggregatorConfig(kafka, f, store, topk, http, shutdownTimeout);
    }

    public AggregatorConfig withStore(StoreConfig s) {
        return new AggregatorConfig(kafka, flows, s, topk, http, shutdownTimeout);
    }

    public AggregatorConfig withTopk(TopKConfig t) {
        return new AggregatorConfig(kafka, flows, store, t, http, shutdownTimeout);
    }

    public AggregatorConfig withHttp(HttpConfig h) {
        return new AggregatorConfig(kafka, flows, store, topk, h, shutdownTimeout);
    }
}
