package dev.fluxtap.aggregator.serve;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import java.net.InetAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Per-client token buckets (Bucket4j) keyed by the remote address: {@code rate} requests per second after a burst of
 * {@code burst}. The table of clients is bounded; the least recently seen client is forgotten first (it starts again
 * with a full bucket, which errs on the side of serving).
 */
public final class RateLimiter {

    static final int MAX_CLIENTS = 10_000;

    private final int rate;
    private final int burst;
    private final Map<InetAddress, Bucket> buckets = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<InetAddress, Bucket> eldest) {
            return size() > MAX_CLIENTS;
        }
    };

    /** {@code rate} 0 turns the limit off. */
    public RateLimiter(int rate, int burst) {
        this.rate = rate;
        this.burst = burst;
    }

    public boolean enabled() {
        return rate > 0;
    }

    /** 0 when the request may proceed, else the seconds to wait before the next one would be allowed (at least 1). */
    public long retryAfterSeconds(InetAddress client) {
        if (rate == 0) {
            return 0;
        }
        Bucket bucket;
        synchronized (buckets) {
            bucket = buckets.computeIfAbsent(client, c -> Bucket.builder()
                    .addLimit(Bandwidth.builder().capacity(burst).refillGreedy(rate, Duration.ofSeconds(1)).build()).build());
        }
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
        return probe.isConsumed() ? 0 : Math.max(1, (probe.getNanosToWaitForRefill() + 999_999_999L) / 1_000_000_000L);
    }
}
