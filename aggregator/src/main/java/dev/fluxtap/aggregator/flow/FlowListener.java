package dev.fluxtap.aggregator.flow;

import java.util.List;

/**
 * Receives flow events, in order per table, on the thread that applied or refreshed the table (after its state lock is
 * released, under its delivery lock): keep it short and never block.
 */
@FunctionalInterface
public interface FlowListener {
    /** The events one table built under one taking of its lock, in order; the list is the listener's to keep. */
    void onEvents(List<FlowEvent> events);
}
