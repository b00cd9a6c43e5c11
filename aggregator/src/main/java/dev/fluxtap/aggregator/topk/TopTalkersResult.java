package dev.fluxtap.aggregator.topk;

import java.util.List;

/**
 * Heavy hitters of one window. When {@code exact} is false the values are sketch estimates that may exceed the true
 * value by at most {@code maxError} (never below it: no key whose true value reaches the reported ones is missing).
 */
public record TopTalkersResult(String dimension, String metric, String window, long windowEndMicros, long total, boolean exact,
                               long maxError, List<Entry> entries) {

    public record Entry(String key, long value) {
    }
}
