package dev.fluxtap.agent.publish;

import dev.fluxtap.agent.spool.DiskSpool;
import dev.fluxtap.agent.spool.SpoolEntry;
import dev.fluxtap.agent.spool.SpoolRecord;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Drains the spool of a {@link KafkaRecordSink} in order, on its own thread: once the sink says the replay may run (Kafka
 * answers and no batch of the direct path is in flight), it sends the spool in windows, rate-limited, and acknowledges a
 * window in the spool only when Kafka acknowledged all of it; a failed window is rewound and sent again (the aggregator
 * drops the repeats). The routing state (whether the sink spools, what is in flight) stays with the sink, behind
 * {@link Target}.
 */
final class SpoolReplay {

    private static final long IDLE_MILLIS = 100;
    private static final long RETRY_MILLIS = 1000;
    private static final long MAX_WINDOW_BYTES = 4L * 1024 * 1024;

    /** What the replay needs from the sink. */
    interface Target {

        /** True while the sink spools, Kafka answers and no batch of the direct path is in flight. */
        boolean mayReplay();

        /** The spool gave no window: the sink goes straight to Kafka again if the spool is empty for good. */
        void spoolDrained();

        /** True, and counted, when Kafka acknowledged the original of this copy: the replay skips it. */
        boolean deliveredAlready(SpoolRecord batch);

        int partitions();

        /** Hands the batch to the producer; Kafka's answer goes to {@code window}. False when the outbox refused it. */
        boolean emit(SpoolRecord batch, Window window);

        void countLost(SpoolRecord batch, LossReason reason, String cause);
    }

    private final DiskSpool spool;
    private final long bytesPerSecond;
    private final int windowRecords;
    private final long windowBytes;
    private final Target target;
    private final SampledLog spoolLog;
    private final Thread thread;
    private volatile boolean stopping;

    /** @param spoolLog shared with the sink's writes to the spool, so that both count against one sampling */
    SpoolReplay(DiskSpool spool, int pendingBatches, long bytesPerSecond, Target target, SampledLog spoolLog) {
        this.spool = spool;
        this.bytesPerSecond = bytesPerSecond;
        this.windowRecords = Math.max(1, Math.min(512, pendingBatches / 2));
        this.windowBytes = Math.max(64 * 1024, Math.min(MAX_WINDOW_BYTES, bytesPerSecond / 4));
        this.target = target;
        this.spoolLog = spoolLog;
        this.thread = new Thread(this::loop, "spool-replay");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Ends the replay; a window in flight is left unacknowledged in the spool. */
    void stop() {
        stopping = true;
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void loop() {
        long nextAllowedNanos = System.nanoTime();
        while (!stopping) {
            try {
                if (!target.mayReplay()) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(IDLE_MILLIS));
                    continue;
                }
                List<SpoolEntry> window = spool.read(windowRecords, windowBytes);
                if (window.isEmpty()) {
                    target.spoolDrained();
                    continue;
                }
                long bytes = send(window);
                if (bytes < 0) {
                    spool.rewind();
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(RETRY_MILLIS));
                    continue;
                }
                spool.ack(window.get(window.size() - 1));
                // Pace by bytes: the window just sent buys its share of a second at the configured rate.
                nextAllowedNanos = Math.max(nextAllowedNanos, System.nanoTime() - TimeUnit.SECONDS.toNanos(1))
                        + bytes * 1_000_000_000L / bytesPerSecond;
                long wait = nextAllowedNanos - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
            } catch (IOException | RuntimeException e) {
                spoolLog.warn("replay from the spool " + spool.directory() + " failed, retrying: " + KafkaRecordSink.oneLine(e));
                spool.rewind();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(RETRY_MILLIS));
            }
        }
    }

    /** Sends one window and waits for Kafka's answers; returns the bytes sent, or -1 when any send failed. */
    private long send(List<SpoolEntry> window) {
        Window w = new Window(window.size());
        long bytes = 0;
        for (SpoolEntry e : window) {
            SpoolRecord r = e.record();
            if (target.deliveredAlready(r)) {
                w.done(true);
            } else if (r.partition() >= target.partitions()) {
                target.countLost(r, LossReason.PARTITION_GONE, r.topic() + " has " + target.partitions() + " partitions now");
                w.done(true);
            } else if (target.emit(r, w)) {
                bytes += r.value().length;
            } else {
                w.done(false);
            }
        }
        try {
            // The producer retries until Kafka answers (no delivery timeout with a spool): wait for it, or for stop.
            while (!w.await(Duration.ofMillis(RETRY_MILLIS))) {
                if (stopping) {
                    return -1;
                }
            }
            return w.succeeded() ? bytes : -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** The answers Kafka gave to one replay window. */
    static final class Window {
        private final CountDownLatch answers;
        private volatile boolean failed;

        Window(int size) {
            answers = new CountDownLatch(size);
        }

        void done(boolean ok) {
            if (!ok) {
                failed = true;
            }
            answers.countDown();
        }

        boolean await(Duration timeout) throws InterruptedException {
            return answers.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        boolean succeeded() {
            return !failed;
        }
    }
}
