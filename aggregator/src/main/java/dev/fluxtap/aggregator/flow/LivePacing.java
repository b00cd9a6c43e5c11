package dev.fluxtap.aggregator.flow;

import dev.fluxtap.aggregator.config.StoreConfig;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * When a flow table publishes its changed flows' live views.
 *
 * <p>A tick publishes them only when the table's previous publication is at least {@code minInterval} old on the wall
 * clock: in real time ticks are a wall second apart and all publish, while a table replaying a backlog (several event
 * seconds per wall second) publishes a few times a second instead of at every tick, which no reader could follow. The
 * deltas a view carries are attributed to the slot of the flow's last packet (top-talker minute, metric history slot),
 * so a flow publishes its pending delta before a packet moves its last packet into a later slot of {@code slot}: the
 * attribution then depends on the log alone, not on when views happened to be published. While a table runs through
 * event time faster than a slot per two minimum intervals of wall time (a backlog), it publishes only when its packets
 * reach a new slot, all pending deltas at once: one view per flow and slot.
 *
 * @param slot        the attribution step in event time: every boundary of the metric history and of the top-talker
 *                    minutes is a multiple of it
 * @param minInterval wall time between two publications at ticks; zero publishes at every tick
 * @param nanoTime    the monotonic wall clock, in nanoseconds
 */
public record LivePacing(Duration slot, Duration minInterval, LongSupplier nanoTime) {

    public LivePacing {
        if (slot.toNanos() < 1000) {
            throw new IllegalArgumentException("live pacing: the attribution slot must be at least 1 µs (got " + slot + ")");
        }
        if (minInterval.isNegative()) {
            throw new IllegalArgumentException("live pacing: the minimum interval must not be negative (got " + minInterval + ")");
        }
    }

    /**
     * True when event time moved at least one slot per two minimum intervals of wall time: a table replaying a backlog,
     * which then publishes at slot starts only (see the class comment). False with a zero minimum interval.
     *
     * @param eventMicros event time the table's packets moved since its previous publication
     * @param wallNanos   wall time since then
     */
    public boolean runningAhead(long eventMicros, long wallNanos) {
        long minIntervalNanos = minInterval.toNanos();
        return minIntervalNanos > 0 && eventMicros * 1000.0 * 2 * minIntervalNanos >= (double) slot.toNanos() * wallNanos;
    }

    /** Publishes at every tick; deltas split at the default metric history step (it divides the top-talker minute). */
    public static LivePacing everyTick() {
        return new LivePacing(StoreConfig.defaults().historyStep(), Duration.ZERO, System::nanoTime);
    }

    /** The largest step that divides all of {@code steps} (each at least 1 µs), to attribute deltas to all of them. */
    public static Duration commonSlot(Duration... steps) {
        long gcd = 0;
        for (Duration s : steps) {
            long micros = s.toNanos() / 1000;
            if (micros < 1) {
                throw new IllegalArgumentException("live pacing: a step below 1 µs (" + s + ")");
            }
            gcd = gcd(gcd, micros);
        }
        return Duration.ofNanos(gcd * 1000);
    }

    private static long gcd(long a, long b) {
        while (b != 0) {
            long r = a % b;
            a = b;
            b = r;
        }
        return a;
    }
}
