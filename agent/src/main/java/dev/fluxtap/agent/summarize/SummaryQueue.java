package dev.fluxtap.agent.summarize;

import java.util.Collection;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.jctools.queues.MpscArrayQueue;

/**
 * The bounded queue between the capture threads and the sender. {@link #offer} never blocks: when the queue is full
 * the summary is dropped and counted, so a slow Kafka shows up as counted drops, never as a stalled capture.
 * A lock-free multi-producer / single-consumer ring (JCTools): a lock made the capture thread and the sender meet on
 * every offer. The sender sleeps until its next batch is due ({@link #poll}'s timeout); an offer wakes it early only
 * when the queue fills up to {@link #wakeThreshold()} (a quarter of the capacity, at most {@link #MAX_WAKE_THRESHOLD}),
 * so at moderate rates the sender wakes about once per batch linger, not per summary nor on a fixed tick.
 */
public final class SummaryQueue {

    /** Queue depth that wakes a sleeping sender, at most: large drains, few wake-ups, far from a full queue. */
    static final int MAX_WAKE_THRESHOLD = 8192;

    private final MpscArrayQueue<PacketSummary> queue;
    private final int wakeThreshold;
    private final LongAdder offered = new LongAdder();
    private final LongAdder drops = new LongAdder();
    /** The sender while it sleeps in {@link #poll}, else null: an offer reads it (a plain load on x86) per summary. */
    private volatile Thread sleepingConsumer;

    /** Holds {@code capacity} summaries, rounded up to a power of two. */
    public SummaryQueue(int capacity) {
        this.queue = new MpscArrayQueue<>(capacity);
        this.wakeThreshold = Math.max(1, Math.min(MAX_WAKE_THRESHOLD, queue.capacity() / 4));
    }

    /** Adds the summary, or drops and counts it when the queue is full. */
    public boolean offer(PacketSummary summary) {
        offered.increment();
        if (!queue.offer(summary)) {
            drops.increment();
            return false;
        }
        Thread consumer = sleepingConsumer;
        if (consumer != null && queue.size() >= wakeThreshold) {
            sleepingConsumer = null;
            LockSupport.unpark(consumer);
        }
        return true;
    }

    /**
     * One summary, or null when none arrived within the timeout (or the sender was woken early: the queue reached the
     * wake threshold, or it was unparked to stop); the caller polls again.
     */
    public PacketSummary poll(long timeout, TimeUnit unit) throws InterruptedException {
        PacketSummary s = queue.poll();
        if (s != null) {
            return s;
        }
        sleepingConsumer = Thread.currentThread();
        // An offer that came in between the poll above and the flag above did not see the flag: check again.
        if (queue.isEmpty()) {
            LockSupport.parkNanos(unit.toNanos(timeout));
        }
        sleepingConsumer = null;
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        return queue.poll();
    }

    /** Moves up to max summaries into target; single consumer only. */
    public int drainTo(Collection<? super PacketSummary> target, int max) {
        return queue.drain(target::add, max);
    }

    public int size() {
        return queue.size();
    }

    public int capacity() {
        return queue.capacity();
    }

    /** Queue depth at which an offer wakes the sleeping sender. */
    int wakeThreshold() {
        return wakeThreshold;
    }

    public long offered() {
        return offered.sum();
    }

    /** Summaries dropped because the queue was full. */
    public long drops() {
        return drops.sum();
    }
}
