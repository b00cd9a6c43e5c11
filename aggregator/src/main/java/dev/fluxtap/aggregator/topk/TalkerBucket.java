package dev.fluxtap.aggregator.topk;

import org.apache.datasketches.frequencies.ItemsSketch;

/**
 * One minute of one dimension: exact bytes and packets per key up to a bound, then two frequent-items sketches for
 * the keys beyond it. Mergeable: buckets merge into a window, windows of several instances merge the same way.
 */
final class TalkerBucket {
    final long minute;
    final TalkerCounts exact = new TalkerCounts();
    ItemsSketch<String> bytesSketch;
    ItemsSketch<String> packetsSketch;
    long totalBytes, totalPackets;
    /** Counts the changes to this bucket: a merge made from it is current while this has not moved. */
    long version;
    /**
     * For a bucket merged from other instances' buckets (see {@link TopTalkers#merge}): the bucket each part contributed
     * (null where a part had none of this minute) and its version then. Null for a bucket that views are added to.
     */
    TalkerBucket[] mergedFrom;
    long[] mergedVersions;

    TalkerBucket(long minute) {
        this.minute = minute;
    }

    void add(String key, long bytes, long packets, int exactKeys, int sketchMapSize) {
        version++;
        totalBytes += bytes;
        totalPackets += packets;
        if (exact.add(key, bytes, packets, exactKeys)) {
            return;
        }
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
    }

    /** Adds another bucket of the same minute (another partition's): exact keys up to the bound, sketches merged. */
    void merge(TalkerBucket other, int exactKeys, int sketchMapSize) {
        long bytes = totalBytes, packets = totalPackets;
        other.exact.forEach((k, b, p) -> add(k, b, p, exactKeys, sketchMapSize));
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
