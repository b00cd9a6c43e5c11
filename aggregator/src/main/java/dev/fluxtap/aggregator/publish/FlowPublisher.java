package dev.fluxtap.aggregator.publish;

import dev.fluxtap.aggregator.flow.FlowEvent;

/** Sends exported flow records (START, UPDATE, END) downstream. */
public interface FlowPublisher extends AutoCloseable {

    /** Queues the record; never blocks longer than the sink's bound. */
    void publish(FlowEvent event);

    /** Waits until every queued record was acknowledged or failed. */
    void flush();

    @Override
    void close();
}
