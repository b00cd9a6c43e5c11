package dev.fluxtap.agent.publish;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/** Logs the first occurrence, then at most one line per interval with the number of occurrences not logged. */
final class SampledLog {

    private final Logger log;
    private final long intervalNanos;
    private final AtomicLong nextAllowedNanos = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong suppressed = new AtomicLong();

    SampledLog(Logger log, java.time.Duration interval) {
        this.log = log;
        this.intervalNanos = interval.toNanos();
    }

    void warn(String message) {
        long now = System.nanoTime();
        long next = nextAllowedNanos.get();
        if ((next == Long.MIN_VALUE || now - next >= 0) && nextAllowedNanos.compareAndSet(next, now + intervalNanos)) {
            long skipped = suppressed.getAndSet(0);
            log.warn(skipped == 0 ? message : message + " (" + skipped + " more like this since the last report)");
        } else {
            suppressed.incrementAndGet();
        }
    }
}
