package dev.fluxtap.aggregator.topk;

import dev.fluxtap.aggregator.config.TopKConfig;
import dev.fluxtap.aggregator.flow.Flow;
import dev.fluxtap.aggregator.flow.FlowEvent;
import dev.fluxtap.aggregator.flow.FlowSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import org.apache.datasketches.frequencies.ErrorType;
import org.apache.datasketches.frequencies.ItemsSketch;

/**
 * Top talkers over sliding windows of event time (1, 5, 15 and 60 minutes), built from one-minute buckets per
 * dimension. Each flow's traffic since its previous live view is added to the bucket of its last packet's minute.
 * Thread-safe: updates come from the ingest thread, queries from the read API.
 */
public final class TopTalkers {

    public static final List<String> WINDOWS = List.of("1m", "5m", "15m", "60m");
    /** The bucket step: a flow's traffic counts in the minute of its last packet. */
    public static final Duration BUCKET = Duration.ofMinutes(1);
    private static final long MINUTE = BUCKET.toNanos() / 1000;
    private static final int SLOTS = 60;
    private static final int MAX_CACHED_ANSWERS = 256;

    private final int exactKeys;
    private final int sketchMapSize;
    private final Map<Dimension, TalkerBucket[]> buckets = new EnumMap<>(Dimension.class);
    private long clockMicros = Long.MIN_VALUE;
    /** Counts changes to the buckets; a cached answer is valid while it has not moved. */
    private long changes;
    private final Map<QueryKey, Answer> answers = new HashMap<>();

    private record QueryKey(Dimension d, String window, boolean bytes, int limit) {
    }

    private record Answer(long changes, TopTalkersResult result) {
    }

    public TopTalkers(TopKConfig config) {
        this.exactKeys = config.exactKeys();
        this.sketchMapSize = config.sketchMapSize();
        for (Dimension d : Dimension.values()) {
            buckets.put(d, new TalkerBucket[SLOTS]);
        }
    }

    public synchronized void accept(FlowEvent event) {
        if (event.kind() != FlowEvent.Kind.LIVE) {
            return;
        }
        long bytes = event.fwdDelta().ipBytes() + event.revDelta().ipBytes();
        long packets = event.fwdDelta().packets() + event.revDelta().packets();
        if (bytes == 0 && packets == 0) {
            return;
        }
        Flow f = event.flow();
        long minute = Math.floorDiv(f.lastSeenMicros(), MINUTE);
        clockMicros = Math.max(clockMicros, f.lastSeenMicros());
        changes++;
        if (minute <= Math.floorDiv(clockMicros, MINUTE) - SLOTS) {
            return; // older than the longest window
        }
        add(Dimension.HOST, minute, f.srcIp(), bytes, packets);
        if (!f.dstIp().equals(f.srcIp())) {
            add(Dimension.HOST, minute, f.dstIp(), bytes, packets);
        }
        add(Dimension.PAIR, minute, f.pairKey(), bytes, packets);
        add(Dimension.PORT, minute, f.portKey(), bytes, packets);
        if (f.sockets().isEmpty()) {
            add(Dimension.PROCESS, minute, "unknown", bytes, packets);
            add(Dimension.CONTAINER, minute, "unknown", bytes, packets);
        } else {
            for (FlowSocket s : f.sockets()) {
                add(Dimension.PROCESS, minute, s.processName() == null ? "unknown" : s.processName(), bytes, packets);
                add(Dimension.CONTAINER, minute, s.containerId() == null ? "host" : s.containerId(), bytes, packets);
            }
        }
    }

    private void add(Dimension d, long minute, String key, long bytes, long packets) {
        TalkerBucket[] ring = buckets.get(d);
        int slot = Math.floorMod(minute, SLOTS);
        TalkerBucket b = ring[slot];
        if (b == null || b.minute < minute) {
            b = new TalkerBucket(minute);
            ring[slot] = b;
        } else if (b.minute > minute) {
            return;
        }
        b.add(key, bytes, packets, exactKeys, sketchMapSize);
    }

    /**
     * A new instance holding the sum of {@code parts}: an instance keeps one per packets partition (so a revoked
     * partition's traffic can be dropped) and merges them to answer. Buckets merge like the windows of a query do.
     */
    public static TopTalkers merge(TopKConfig config, Collection<TopTalkers> parts) {
        return merge(config, parts, null);
    }

    /**
     * Like {@link #merge(TopKConfig, Collection)}, but takes from {@code previous} (an earlier merge, or null) every
     * merged bucket whose parts' buckets have not changed since: only the minutes that took traffic are merged again.
     * With an hour of busy minutes over several partitions, merging all of them again took a second; the closed
     * minutes rarely change. Merged buckets are never changed after their merge, so two merges may share them.
     */
    public static TopTalkers merge(TopKConfig config, Collection<TopTalkers> parts, TopTalkers previous) {
        TopTalkers out = new TopTalkers(config);
        List<TopTalkers> list = List.copyOf(parts);
        int n = list.size();
        Dimension[] dimensions = Dimension.values();
        // Each part's bucket of each slot and its version, under the part's lock.
        TalkerBucket[][][] from = new TalkerBucket[dimensions.length][SLOTS][n];
        long[][][] versions = new long[dimensions.length][SLOTS][n];
        for (int p = 0; p < n; p++) {
            TopTalkers part = list.get(p);
            synchronized (part) {
                out.clockMicros = Math.max(out.clockMicros, part.clockMicros);
                for (Dimension d : dimensions) {
                    TalkerBucket[] ring = part.buckets.get(d);
                    for (int i = 0; i < SLOTS; i++) {
                        if (ring[i] != null) {
                            from[d.ordinal()][i][p] = ring[i];
                            versions[d.ordinal()][i][p] = ring[i].version;
                        }
                    }
                }
            }
        }
        // Per slot, the parts' buckets of its newest minute; a merge of exactly those, at those versions, is reused.
        boolean[][] build = new boolean[dimensions.length][SLOTS];
        for (Dimension d : dimensions) {
            TalkerBucket[] into = out.buckets.get(d);
            for (int i = 0; i < SLOTS; i++) {
                TalkerBucket[] sources = from[d.ordinal()][i];
                long minute = Long.MIN_VALUE;
                for (TalkerBucket b : sources) {
                    minute = b == null ? minute : Math.max(minute, b.minute);
                }
                if (minute == Long.MIN_VALUE) {
                    continue;
                }
                for (int p = 0; p < n; p++) {
                    if (sources[p] != null && sources[p].minute != minute) {
                        sources[p] = null; // a part's bucket of an older minute, left out as in a query's window
                        versions[d.ordinal()][i][p] = 0;
                    }
                }
                TalkerBucket earlier = previous == null ? null : previous.buckets.get(d)[i];
                if (earlier != null && earlier.minute == minute && Arrays.equals(earlier.mergedFrom, sources, (x, y) -> x == y ? 0 : 1)
                        && Arrays.equals(earlier.mergedVersions, versions[d.ordinal()][i])) {
                    into[i] = earlier;
                } else {
                    into[i] = new TalkerBucket(minute);
                    into[i].mergedFrom = sources;
                    into[i].mergedVersions = new long[n];
                    build[d.ordinal()][i] = true;
                }
            }
        }
        for (int p = 0; p < n; p++) {
            TopTalkers part = list.get(p);
            synchronized (part) {
                for (Dimension d : dimensions) {
                    TalkerBucket[] into = out.buckets.get(d);
                    for (int i = 0; i < SLOTS; i++) {
                        TalkerBucket b = from[d.ordinal()][i][p];
                        if (build[d.ordinal()][i] && b != null) {
                            into[i].merge(b, out.exactKeys, out.sketchMapSize);
                            into[i].mergedVersions[p] = b.version; // what was merged, if it moved since the first pass
                        }
                    }
                }
            }
        }
        return out;
    }

    /** The bucket of {@code minute} in dimension {@code d}, or null (package-private for the merge tests). */
    synchronized TalkerBucket bucket(Dimension d, long minute) {
        TalkerBucket b = buckets.get(d)[Math.floorMod(minute, SLOTS)];
        return b != null && b.minute == minute ? b : null;
    }

    /** Window length of a label such as 5m; null when it is not one of {@link #WINDOWS}. */
    public static Duration window(String label) {
        return WINDOWS.contains(label) ? Duration.ofMinutes(Long.parseLong(label.substring(0, label.length() - 1))) : null;
    }

    /**
     * The top {@code limit} keys of the window ending at the newest event time seen.
     *
     * @param bytes true for bytes, false for packets
     */
    public synchronized TopTalkersResult query(Dimension d, String window, boolean bytes, int limit) {
        // Live views change the buckets once per tick, while the read side (REST, each WebSocket subscriber at its own
        // phase) asks far more often: merging up to sixty minutes of partials again for every ask was the cost.
        QueryKey key = new QueryKey(d, window, bytes, limit);
        Answer cached = answers.get(key);
        if (cached != null && cached.changes() == changes) {
            return cached.result();
        }
        if (answers.size() >= MAX_CACHED_ANSWERS) {
            answers.clear();
        }
        // Both metrics from one merge of the window's buckets: the partials ask for both, one after the other.
        TopTalkersResult[] both = compute(d, window, limit);
        answers.put(new QueryKey(d, window, true, limit), new Answer(changes, both[0]));
        answers.put(new QueryKey(d, window, false, limit), new Answer(changes, both[1]));
        return both[bytes ? 0 : 1];
    }

    /** The answers for bytes then packets. */
    private TopTalkersResult[] compute(Dimension d, String window, int limit) {
        long minutes = window(window).toMinutes();
        long current = clockMicros == Long.MIN_VALUE ? 0 : Math.floorDiv(clockMicros, MINUTE);
        long first = current - minutes + 1;
        List<TalkerBucket> inWindow = new ArrayList<>(SLOTS);
        int largest = 0;
        for (TalkerBucket b : buckets.get(d)) {
            if (b != null && b.minute >= first && b.minute <= current) {
                inWindow.add(b);
                largest = Math.max(largest, b.exact.size());
            }
        }
        // Sized for the largest minute: a window's minutes mostly share their keys, and growing copies every key again.
        TalkerCounts exact = new TalkerCounts(largest);
        ItemsSketch<String> bytesSketch = null, packetsSketch = null;
        long totalBytes = 0, totalPackets = 0;
        for (TalkerBucket b : inWindow) {
            totalBytes += b.totalBytes;
            totalPackets += b.totalPackets;
            b.exact.forEach((k, bytes, packets) -> exact.add(k, bytes, packets, Integer.MAX_VALUE));
            if (b.overflowed()) {
                if (bytesSketch == null) {
                    bytesSketch = new ItemsSketch<>(sketchMapSize);
                    packetsSketch = new ItemsSketch<>(sketchMapSize);
                }
                bytesSketch.merge(b.bytesSketch);
                packetsSketch.merge(b.packetsSketch);
            }
        }
        long windowEnd = (current + 1) * MINUTE;
        return new TopTalkersResult[] {
            result(d, window, "bytes", windowEnd, totalBytes, exact, 0, bytesSketch, limit),
            result(d, window, "packets", windowEnd, totalPackets, exact, 1, packetsSketch, limit)};
    }

    private static TopTalkersResult result(Dimension d, String window, String metricName, long windowEnd, long total, TalkerCounts exact,
                                           int metric, ItemsSketch<String> sketch, int limit) {
        TopSelection top = new TopSelection(limit);
        long maxError = 0;
        if (sketch == null) {
            exact.forEach((k, bytes, packets) -> top.offer(k, metric == 0 ? bytes : packets));
        } else {
            exact.forEach((k, bytes, packets) -> {
                long v = metric == 0 ? bytes : packets;
                if (v > 0) {
                    sketch.update(k, v);
                }
            });
            for (ItemsSketch.Row<String> row : sketch.getFrequentItems(ErrorType.NO_FALSE_NEGATIVES)) {
                top.offer(row.getItem(), row.getEstimate());
            }
            maxError = sketch.getMaximumError();
        }
        return new TopTalkersResult(d.label(), metricName, window, windowEnd, total, sketch == null, maxError, top.best());
    }

    /**
     * The {@code limit} best of the keys offered (value descending, then key ascending), without sorting all of them:
     * a window can hold tens of thousands of keys, and the partials ask for the best thousand 40 times a round.
     */
    static final class TopSelection {
        private static final Comparator<TopTalkersResult.Entry> BEST_FIRST =
                Comparator.comparingLong(TopTalkersResult.Entry::value).reversed().thenComparing(TopTalkersResult.Entry::key);
        private final int limit;
        /** The best so far, the worst of them at the head. */
        private final PriorityQueue<TopTalkersResult.Entry> kept;

        TopSelection(int limit) {
            this.limit = limit;
            this.kept = new PriorityQueue<>(Math.min(limit, 1024) + 1, BEST_FIRST.reversed());
        }

        /** Offers a key; keys without a positive value are never listed. */
        void offer(String key, long value) {
            if (value <= 0 || limit <= 0) {
                return;
            }
            if (kept.size() == limit) {
                TopTalkersResult.Entry worst = kept.peek();
                if (value < worst.value() || (value == worst.value() && key.compareTo(worst.key()) > 0)) {
                    return;
                }
                kept.poll();
            }
            kept.add(new TopTalkersResult.Entry(key, value));
        }

        /** The kept keys, best first. */
        List<TopTalkersResult.Entry> best() {
            List<TopTalkersResult.Entry> out = new ArrayList<>(kept);
            out.sort(BEST_FIRST);
            return List.copyOf(out);
        }
    }
}
