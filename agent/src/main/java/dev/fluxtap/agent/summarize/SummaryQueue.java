package dev.fluxtap.agent.summarize;

import java.util.Collection;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The bounded queue between the capture threads and the sender. {@link #offer} never blocks: when the queue is full
 * the summary is dropped and counted, so a slow Kafka shows up as counted drops, never as a stalled capture.
 * The sender is never woken by an offer: it polls at most every {@link #MAX_PARK_NANOS}. A blocking poll made every
 * offer to an empty queue signal (a futex wake-up per packet at moderate rates, where the sender keeps emptying the
 * queue); batches linger far longer than the tick anyway.
 */
public final class SummaryQueue {

    /** Longest sleep of an empty {@link #poll}: bounds the wake-ups of the sender to 200/s, whatever the packet rate. */
    static final long MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private final ArrayBlockingQueue<PacketSummary> queue;
    private final LongAdder offered = new LongAdder();
    private final LongAdder drops = new LongAdder();

    public SummaryQueue(int capacity) {
        this.queue = new ArrayBlockingQueue<>(capacity);
    }

    /** Adds the summary, or drops and counts it when the queue is full. */
    public boolean offer(PacketSummary summary) {
        offered.increment();
        if (queue.offer(summary)) {
            return true;
        }
        drops.increment();
        return false;
    }

    /**
     * One summary, or null when the queue stayed empty for the timeout or the sender tick ({@link #MAX_PARK_NANOS}),
     * whichever is shorter: the caller polls again.
     */
    public PacketSummary poll(long timeout, TimeUnit unit) throws InterruptedException {
        PacketSummary s = queue.poll();
        if (s != null) {
            return s;
        }
        LockSupport.parkNanos(Math.min(unit.toNanos(timeout), MAX_PARK_NANOS));
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        return queue.poll();
    }

    public int drainTo(Collection<? super PacketSummary> target, int max) {
        return queue.drainTo(target, max);
    }

    public int size() {
        return queue.size();
    }

    public int capacity() {
        return queue.size() + queue.remainingCapacity();
    }

    public long offered() {
        return offered.sum();
    }

    /** Summaries dropped because the queue was full. */
    public long drops() {
        return drops.sum();
    }
}
