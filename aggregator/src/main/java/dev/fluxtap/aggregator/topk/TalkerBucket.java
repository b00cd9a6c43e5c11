package dev.fluxtap.aggregator.topk;

import java.util.HashMap;
import java.util.Map;
import org.apache.datasketches.frequencies.ItemsSketch;

/**
 * One minute of one dimension: exact bytes and packets per key up to a bound, then two frequent-items sketches for
 * the keys beyond it. Mergeable: buckets merge into a window, windows of several instances merge the same way.
 */
final class TalkerBucket {
    final long minute;
    final Map<String, long[]> exact = new HashMap<>();
    ItemsSketch<String> bytesSketch;
    ItemsSketch<String> packetsSketch;
    long totalBytes, totalPackets;

    TalkerBucket(long minute) {
        this.minute = minute;
    }

    void add(String key, long bytes, long packets, int exactKeys, int sketchMapSize) {
        totalBytes += bytes;
        totalPackets += packets;
        long[] counts = exact.get(key);
        if (counts == null && exact.size() >= exactKeys) {
            if (bytesSketch == null) {
                bytesSketch = new ItemsSketch<>(sketchMapSize);
                packetsSketch = new ItemsSketch<>(sketchMapSize);
            }
            if (bytes > 0) {
                bytesSketch.update(key, bytes);
            }
            if (packets > 0) {
                packetsSketch.update(key, packets);
            }
            return;
        }
        if (counts == null) {
            counts = new long[2];
            exact.put(key, counts);
        }
        counts[0] += bytes;
        counts[1] += packets;
    }

    /** Adds another bucket of the same minute (another partition's): exact keys up to the bound, sketches merged. */
    void merge(TalkerBucket other, int exactKeys, int sketchMapSize) {
        long bytes = totalBytes, packets = totalPackets;
        other.exact.forEach((k, c) -> add(k, c[0], c[1], exactKeys, sketchMapSize));
        totalBytes = bytes + other.totalBytes;
        totalPackets = packets + other.totalPackets;
        if (other.overflowed()) {
            if (bytesSketch == null) {
                bytesSketch = new ItemsSketch<>(sketchMapSize);
                packetsSketch = new ItemsSketch<>(sketchMapSize);
            }
            bytesSketch.merge(other.bytesSketch);
            packetsSketch.merge(other.packetsSketch);
        }
    }

    boolean overflowed() {
        return bytesSketch != null;
    }
}
