package dev.fluxtap.agent.decode;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Counters of one decoding thread. Written by that thread only (plain increments published with release
 * semantics, no locked instructions), read by any thread. Indexed by enum ordinal: no maps on the hot path.
 */
public final class DecodeStats {
    private static final int FRAMES = 0;
    private static final int DECODED = 1;
    private static final int TCP_OPTION_ERRORS = 2;

    private static final MalformedReason[] MALFORMED = MalformedReason.values();
    private static final SkipReason[] SKIPPED = SkipReason.values();

    private final AtomicLongArray totals = new AtomicLongArray(3);
    private final AtomicLongArray malformed = new AtomicLongArray(MALFORMED.length);
    private final AtomicLongArray skipped = new AtomicLongArray(SKIPPED.length);

    void countFrame() {
        bump(totals, FRAMES);
    }

    void countDecoded() {
        bump(totals, DECODED);
    }

    void countTcpOptionError() {
        bump(totals, TCP_OPTION_ERRORS);
    }

    void countMalformed(MalformedReason reason) {
        bump(malformed, reason.ordinal());
    }

    void countSkipped(SkipReason reason) {
        bump(skipped, reason.ordinal());
    }

    private static void bump(AtomicLongArray array, int index) {
        array.setRelease(index, array.getPlain(index) + 1);
    }

    public long frames() {
        return totals.getAcquire(FRAMES);
    }

    public long decoded() {
        return totals.getAcquire(DECODED);
    }

    /** Decoded TCP segments whose options were invalid (the segment itself still counts as decoded). */
    public long tcpOptionErrors() {
        return totals.getAcquire(TCP_OPTION_ERRORS);
    }

    public long malformed(MalformedReason reason) {
        return malformed.getAcquire(reason.ordinal());
    }

    public long skipped(SkipReason reason) {
        return skipped.getAcquire(reason.ordinal());
    }

    public long malformedTotal() {
        long sum = 0;
        for (MalformedReason r : MALFORMED) {
            sum += malformed(r);
        }
        return sum;
    }

    public long skippedTotal() {
        long sum = 0;
        for (SkipReason r : SKIPPED) {
            sum += skipped(r);
        }
        return sum;
    }

    /** This thread's counters as a snapshot. */
    public Totals snapshot() {
        return sum(java.util.List.of(this));
    }

    /** Sums several threads' counters (for status and metrics). */
    public static Totals sum(Iterable<DecodeStats> all) {
        long frames = 0;
        long decoded = 0;
        long optionErrors = 0;
        EnumMap<MalformedReason, Long> m = new EnumMap<>(MalformedReason.class);
        EnumMap<SkipReason, Long> s = new EnumMap<>(SkipReason.class);
        for (DecodeStats d : all) {
            frames += d.frames();
            decoded += d.decoded();
            optionErrors += d.tcpOptionErrors();
            for (MalformedReason r : MALFORMED) {
                m.merge(r, d.malformed(r), Long::sum);
            }
            for (SkipReason r : SKIPPED) {
                s.merge(r, d.skipped(r), Long::sum);
            }
        }
        return new Totals(frames, decoded, optionErrors, m, s);
    }

    /** A snapshot of summed counters. */
    public record Totals(long frames, long decoded, long tcpOptionErrors, Map<MalformedReason, Long> malformed, Map<SkipReason, Long> skipped) {
        public Map<String, Long> malformedByLabel() {
            Map<String, Long> out = new java.util.LinkedHashMap<>();
            malformed.forEach((r, v) -> {
                if (v != 0) {
                    out.put(r.label(), v);
                }
            });
            return out;
        }

        public Map<String, Long> skippedByLabel() {
            Map<String, Long> out = new java.util.LinkedHashMap<>();
            skipped.forEach((r, v) -> {
                if (v != 0) {
                    out.put(r.label(), v);
                }
            });
            return out;
        }
    }
}
