package dev.fluxtap.aggregator.topk;

import dev.fluxtap.aggregator.config.TopKConfig;
import dev.fluxtap.aggregator.flow.Flow;
import dev.fluxtap.aggregator.flow.FlowEvent;
import dev.fluxtap.aggregator.flow.FlowSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.datasketches.frequencies.ErrorType;
import org.apache.datasketches.frequencies.ItemsSketch;

/**
 * Top talkers over sliding windows of event time (1, 5, 15 and 60 minutes), built from one-minute buckets per
 * dimension. Each flow's traffic since the previous tick is added to the bucket of its last packet's minute.
 * Thread-safe: updates come from the ingest thread, queries from the read API.
 */
public final class TopTalkers {

    public static final List<String> WINDOWS = List.of("1m", "5m", "15m", "60m");
    private static final long MINUTE = 60_000_000L;
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
        TopTalkers out = new TopTalkers(config);
        for (TopTalkers part : parts) {
            synchronized (part) {
                out.clockMicros = Math.max(out.clockMicros, part.clockMicros);
                part.buckets.forEach((d, ring) -> {
                    TalkerBucket[] into = out.buckets.get(d);
                    for (int i = 0; i < SLOTS; i++) {
                        TalkerBucket b = ring[i];
                        if (b == null) {
                            continue;
                        }
                        if (into[i] == null || into[i].minute < b.minute) {
                            into[i] = new TalkerBucket(b.minute);
                        } else if (into[i].minute > b.minute) {
                            continue;
                        }
                        into[i].merge(b, out.exactKeys, out.sketchMapSize);
                    }
                });
            }
        }
        return out;
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
        TopTalkersResult result = compute(d, window, bytes, limit);
        answers.put(key, new Answer(changes, result));
        return result;
    }

    private TopTalkersResult compute(Dimension d, String window, boolean bytes, int limit) {
        long minutes = window(window).toMinutes();
        long current = clockMicros == Long.MIN_VALUE ? 0 : Math.floorDiv(clockMicros, MINUTE);
        long first = current - minutes + 1;
        int metric = bytes ? 0 : 1;
        Map<String, Long> exact = new HashMap<>();
        ItemsSketch<String> merged = null;
        long total = 0;
        for (TalkerBucket b : buckets.get(d)) {
            if (b == null || b.minute < first || b.minute > current) {
                continue;
            }
            total += bytes ? b.totalBytes : b.totalPackets;
            b.exact.forEach((k, v) -> exact.merge(k, v[metric], Long::sum));
            if (b.overflowed()) {
                if (merged == null) {
                    merged = new ItemsSketch<>(sketchMapSize);
                }
                merged.merge(bytes ? b.bytesSketch : b.packetsSketch);
            }
        }
        List<TopTalkersResult.Entry> entries = new ArrayList<>();
        long maxError = 0;
        if (merged == null) {
            exact.forEach((k, v) -> {
                if (v > 0) {
                    entries.add(new TopTalkersResult.Entry(k, v));
                }
            });
        } else {
            ItemsSketch<String> sketch = merged;
            exact.forEach((k, v) -> {
                if (v > 0) {
                    sketch.update(k, v);
                }
            });
            for (ItemsSketch.Row<String> row : sketch.getFrequentItems(ErrorType.NO_FALSE_NEGATIVES)) {
                entries.add(new TopTalkersResult.Entry(row.getItem(), row.getEstimate()));
            }
            maxError = sketch.getMaximumError();
        }
        entries.sort(Comparator.comparingLong(TopTalkersResult.Entry::value).reversed().thenComparing(TopTalkersResult.Entry::key));
        List<TopTalkersResult.Entry> top = List.copyOf(entries.size() > limit ? entries.subList(0, limit) : entries);
        return new TopTalkersResult(d.label(), bytes ? "bytes" : "packets", window, (current + 1) * MINUTE, total, merged == null, maxError, top);
    }
}
