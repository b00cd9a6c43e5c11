package dev.fluxtap.aggregator.flow;

/** Receives flow events. Called on the ingest thread while the table is locked: keep it short and never block. */
@FunctionalInterface
public interface FlowListener {
    void onEvent(FlowEvent event);
}
