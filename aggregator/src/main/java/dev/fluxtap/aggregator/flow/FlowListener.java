package dev.fluxtap.aggregator.flow;

/**
 * Receives flow events, in order per table, on the thread that applied or refreshed the table (after its state lock is
 * released, under its delivery lock): keep it short and never block.
 */
@FunctionalInterface
public interface FlowListener {
    void onEvent(FlowEvent event);
}
