package dev.fluxtap.aggregator.config;

import java.time.Duration;

/** Everything the aggregator is configured with; each part validates itself and names the flag of a bad value. */
public record AggregatorConfig(KafkaConfig kafka, FlowConfig flows, StoreConfig store, TopKConfig topk, HttpConfig http,
                               ClusterConfig cluster, Duration shutdownTimeout) {

    public AggregatorConfig {
        if (kafka == null || flows == null || store == null || topk == null || http == null || cluster == null) {
            throw new IllegalArgumentException("every part of the aggregator configuration is required");
        }
        Settings.positive("shutdown-timeout", shutdownTimeout);
    }

    public static AggregatorConfig defaults() {
        return new AggregatorConfig(KafkaConfig.defaults(), FlowConfig.defaults(), StoreConfig.defaults(), TopKConfig.defaults(),
                HttpConfig.defaults(), ClusterConfig.defaults(), Duration.ofSeconds(15));
    }

    public AggregatorConfig withKafka(KafkaConfig k) {
        return new AggregatorConfig(k, flows, store, topk, http, cluster, shutdownTimeout);
    }

    public AggregatorConfig withFlows(FlowConfig f) {
        return new AggregatorConfig(kafka, f, store, topk, http, cluster, shutdownTimeout);
    }

    public AggregatorConfig withStore(StoreConfig s) {
        return new AggregatorConfig(kafka, flows, s, topk, http, cluster, shutdownTimeout);
    }

    public AggregatorConfig withTopk(TopKConfig t) {
        return new AggregatorConfig(kafka, flows, store, t, http, cluster, shutdownTimeout);
    }

    public AggregatorConfig withCluster(ClusterConfig c) {
        return new AggregatorConfig(kafka, flows, store, topk, http, c, shutdownTimeout);
    }

    public AggregatorConfig withHttp(HttpConfig h) {
        return new AggregatorConfig(kafka, flows, store, topk, h, cluster, shutdownTimeout);
    }
}
