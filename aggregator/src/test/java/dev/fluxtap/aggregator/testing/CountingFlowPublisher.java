package dev.fluxtap.aggregator.testing;

import dev.fluxtap.aggregator.flow.FlowEvent;
import dev.fluxtap.aggregator.publish.FlowPublisher;
import java.util.concurrent.atomic.AtomicLong;

/** A flow publisher for tests and benchmarks that run a pipeline without Kafka: counts the exports, sends nothing. */
public final class CountingFlowPublisher implements FlowPublisher {

    private final AtomicLong published = new AtomicLong();

    @Override
    public void publish(FlowEvent event) {
        published.incrementAndGet();
    }

    public long published() {
        return published.get();
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
}
