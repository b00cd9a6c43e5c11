package dev.fluxtap.aggregator.store;

/** Filters of a flow query; null means any. {@code sinceMicros} keeps flows last seen at or after it. */
public record FlowQuery(String ip, Integer port, Integer protocol, String agent, String state, Long sinceMicros, int limit) {
}
