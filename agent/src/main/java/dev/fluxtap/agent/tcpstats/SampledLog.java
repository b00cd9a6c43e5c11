package dev.fluxtap.agent.tcpstats;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;

/**
 * Logs a recurring warning the first time and then at most once per period per key, saying how many were
 * suppressed in between: a namespace that fails every 5 s must not flood the log. The counts stay exact in metrics.
 */
public final class SampledLog {

    private static final int MAX_KEYS = 1024;

    private final Logger log;
    private final Clock clock;
    private final Duration period;
    private final Map<String, Instant> lastLogged = new HashMap<>();
    private final Map<String, Integer> suppressed = new HashMap<>();

    public SampledLog(Logger log, Clock clock, Duration period) {
        this.log = log;
        this.clock = clock;
        this.period = period;
    }

    /** Warns about {@code message} under {@code key}, or counts it as suppressed. Returns whether it was logged. */
    public synchronized boolean warn(String key, String message) {
        Instant now = clock.instant();
        Instant last = lastLogged.get(key);
        if (last != null && now.isBefore(last.plus(period))) {
            suppressed.merge(key, 1, Integer::sum);
            return false;
        }
        if (lastLogged.size() >= MAX_KEYS && last == null) {
            lastLogged.clear();
            suppressed.clear();
        }
        Integer skipped = suppressed.remove(key);
        lastLogged.put(key, now);
        if (skipped != null) {
            log.warn("{} ({} similar messages suppressed in the last {} s)", message, skipped, period.toSeconds());
        } else {
            log.warn("{}", message);
        }
        return true;
    }
}
