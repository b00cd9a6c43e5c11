package dev.fluxtap.agent.summarize;

import java.util.Collection;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The bounded queue between the capture threads and the sender. {@link #offer} never blocks: when the queue is full
 * the summary is dropped and counted, so a slow Kafka shows up as counted drops, never as a stalled capture.
 */
public final class SummaryQueue {

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

    /** Waits up to the timeout for one summary. */
    public PacketSummary poll(long timeout, TimeUnit unit) throws InterruptedException {
        return queue.poll(timeout, unit);
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
