package dev.fluxtap.agent.publish;

import dev.fluxtap.agent.config.PublishConfig;
import dev.fluxtap.agent.summarize.PacketSummary;
import dev.fluxtap.agent.summarize.SummaryQueue;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sender thread: takes summaries off the queue, batches them per partition and hands closed batches to the sink.
 * It waits for the sink to learn the partition count first (the queue absorbs, then counts drops, meanwhile). On stop
 * it drains the queue and flushes every open batch.
 */
public final class BatchPublisher {

    private static final Logger log = LoggerFactory.getLogger(BatchPublisher.class);
    private static final int DRAIN_CHUNK = 4096;
    private static final long IDLE_POLL_MILLIS = 100;

    private final SummaryQueue queue;
    private final RecordSink sink;
    private final PublishConfig config;
    private final BatchIdentity identity;
    private final Clock clock;
    private final AtomicLong batchesClosed = new AtomicLong();
    private volatile boolean stopping;
    private volatile long stopDeadlineNanos = Long.MAX_VALUE;
    private Thread thread;

    public BatchPublisher(SummaryQueue queue, RecordSink sink, PublishConfig config, BatchIdentity identity, Clock clock) {
        this.queue = queue;
        this.sink = sink;
        this.config = config;
        this.identity = identity;
        this.clock = clock;
    }

    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException("already started");
        }
        thread = new Thread(this::run, "batcher");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Stops after draining the queue into batches for the sink. When Kafka has not answered yet (a short capture file,
     * or a broker that is down), it waits up to the timeout for the partition count before giving the queue up.
     */
    public void stop(Duration timeout) {
        stopDeadlineNanos = System.nanoTime() + timeout.toNanos();
        stopping = true;
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t == null) {
            return;
        }
        // It sleeps until its next batch is due: wake it to drain now.
        LockSupport.unpark(t);
        try {
            // The drain after the wait for Kafka takes milliseconds; give it a second beyond the timeout.
            t.join(timeout.toMillis() + 1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Batches handed to the sink. */
    public long batchesClosed() {
        return batchesClosed.get();
    }

    private void run() {
        OptionalInt partitions = awaitPartitionCount();
        if (partitions.isEmpty()) {
            long left = queue.size();
            if (left > 0) {
                log.warn("{} summaries not sent: Kafka at {} was not reached before shutdown", left, config.bootstrapServers());
            }
            return;
        }
        PartitionBatcher batcher = new PartitionBatcher(partitions.getAsInt(), config.batchMaxSummaries(), config.batchMaxBytes(),
                config.batchLinger(), config.wireFormat(), identity, clock);
        List<PacketSummary> chunk = new ArrayList<>(DRAIN_CHUNK);
        try {
            while (!stopping) {
                // Sleeps until the next batch is due by linger; the queue wakes it earlier when it fills up.
                long wait = Math.max(1, Math.min(IDLE_POLL_MILLIS, batcher.millisUntilNextDue()));
                PacketSummary first = queue.poll(wait, TimeUnit.MILLISECONDS);
                if (first != null) {
                    batcher.add(first, this::handOver);
                    drainInto(batcher, chunk);
                }
                batcher.flushDue(this::handOver);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        while (queue.size() > 0) {
            drainInto(batcher, chunk);
        }
        batcher.flushAll(this::handOver);
    }

    private void drainInto(PartitionBatcher batcher, List<PacketSummary> chunk) {
        queue.drainTo(chunk, DRAIN_CHUNK);
        for (PacketSummary s : chunk) {
            batcher.add(s, this::handOver);
        }
        chunk.clear();
    }

    private void handOver(SummaryBatch batch) {
        batchesClosed.incrementAndGet();
        sink.send(batch);
    }

    private OptionalInt awaitPartitionCount() {
        OptionalInt count = sink.partitionCount();
        while (count.isEmpty() && (!stopping || System.nanoTime() - stopDeadlineNanos < 0)) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(IDLE_POLL_MILLIS));
            count = sink.partitionCount();
        }
        return count;
    }
}
