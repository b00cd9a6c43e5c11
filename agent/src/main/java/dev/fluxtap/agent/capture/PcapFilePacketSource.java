package dev.fluxtap.agent.capture;

import dev.fluxtap.agent.config.ReplaySpeed;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.Pcaps;

/**
 * Replays capture files (pcap and pcapng, through libpcap's offline reader) on one thread, file after file, at full
 * speed, in real time or at a factor of it, optionally in a loop. Each file is capture index {@code i} of
 * {@link #names()}. A file that cannot be read is reported through {@link #failure()} and the next file is read.
 */
public final class PcapFilePacketSource implements PacketSource {

    private final List<Path> files;
    private final ReplaySpeed speed;
    private final boolean loop;
    private final AtomicLong[] received;
    private final AtomicLong[] lost;
    private final AtomicReference<CaptureException> failure = new AtomicReference<>();
    private final AtomicReference<PcapHandle> current = new AtomicReference<>();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile boolean open;
    private Thread thread;

    public PcapFilePacketSource(List<Path> files, ReplaySpeed speed, boolean loop) {
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no capture file to replay");
        }
        this.files = List.copyOf(files);
        this.speed = speed;
        this.loop = loop;
        this.received = new AtomicLong[files.size()];
        this.lost = new AtomicLong[files.size()];
        for (int i = 0; i < received.length; i++) {
            received[i] = new AtomicLong();
            lost[i] = new AtomicLong();
        }
    }

    @Override
    public List<String> names() {
        return files.stream().map(Path::toString).toList();
    }

    @Override
    public synchronized void start(IntFunction<FrameHandler> handlerPerCapture) throws CaptureException {
        if (thread != null) {
            throw new IllegalStateException("already started");
        }
        for (Path file : files) {
            if (!Files.isReadable(file)) {
                throw PcapErrors.badFile(file.toString(), new java.io.FileNotFoundException(Files.exists(file) ? "permission denied" : "no such file"));
            }
        }
        FrameHandler[] handlers = new FrameHandler[files.size()];
        for (int i = 0; i < handlers.length; i++) {
            handlers[i] = handlerPerCapture.apply(i);
        }
        open = true;
        thread = new Thread(() -> run(handlers), "replay");
        thread.setDaemon(true);
        thread.start();
    }

    private void run(FrameHandler[] handlers) {
        try {
            do {
                for (int i = 0; i < files.size() && !stopping.get(); i++) {
                    replay(i, handlers[i]);
                }
            } while (loop && !stopping.get());
        } finally {
            open = false;
            ended.countDown();
        }
    }

    /** Reads one file; a bad file is recorded and skipped. */
    private void replay(int index, FrameHandler handler) {
        String file = files.get(index).toString();
        PcapHandle handle;
        try {
            handle = Pcaps.openOffline(file, PcapHandle.TimestampPrecision.MICRO);
        } catch (PcapNativeException e) {
            recordFailure(PcapErrors.badFile(file, e));
            return;
        } catch (LinkageError e) {
            recordFailure(PcapErrors.libpcapMissing(e));
            stopping.set(true);
            return;
        }
        current.set(handle);
        try {
            if (stopping.get()) {
                return;
            }
            int linkType = handle.getDlt().value();
            FrameHandler target = speed.isMax() ? handler : new Pacer(speed.factor(), handler, stopping);
            Pcap4jHandles.countLostFramesInto(lost[index]);
            handle.loop(-1, Pcap4jHandles.listener(handle, linkType, target, received[index]));
        } catch (InterruptedException e) {
            // breakLoop(): stopped.
        } catch (Exception e) {
            // libpcap reports a damaged record after the good ones as an error of loop().
            recordFailure(PcapErrors.badFile(file, e));
        } finally {
            current.set(null);
            handle.close();
        }
    }

    /** Kept for the caller to report (inspect prints it, run logs it): one line, not a log line per loop. */
    private void recordFailure(CaptureException e) {
        failure.compareAndSet(null, e);
    }

    @Override
    public void stop() {
        if (!stopping.compareAndSet(false, true)) {
            return;
        }
        PcapHandle h = current.get();
        if (h != null) {
            Pcap4jHandles.breakLoop(h);
        }
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        synchronized (this) {
            if (thread == null) {
                return true;
            }
        }
        return ended.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public List<CaptureStats> stats() {
        List<CaptureStats> out = new java.util.ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            long n = received[i].get();
            out.add(new CaptureStats(files.get(i).toString(), n, n, 0, 0, lost[i].get(), open));
        }
        return out;
    }

    @Override
    public Optional<CaptureException> failure() {
        return Optional.ofNullable(failure.get());
    }

    /** Delays frames to the recorded timing divided by the factor. Sleeping here is fine: this thread reads a file. */
    private static final class Pacer implements FrameHandler {
        private final double factor;
        private final FrameHandler next;
        private final AtomicBoolean stopping;
        private long firstTsMicros = Long.MIN_VALUE;
        private long startNanos;

        Pacer(double factor, FrameHandler next, AtomicBoolean stopping) {
            this.factor = factor;
            this.next = next;
            this.stopping = stopping;
        }

        @Override
        public void onFrame(long tsMicros, int linkType, byte[] frame, int capturedLength, int originalLength) {
            if (firstTsMicros == Long.MIN_VALUE) {
                firstTsMicros = tsMicros;
                startNanos = System.nanoTime();
            }
            long due = startNanos + (long) (Math.max(0, tsMicros - firstTsMicros) * 1000 / factor);
            long wait;
            while ((wait = due - System.nanoTime()) > 0 && !stopping.get()) {
                LockSupport.parkNanos(Math.min(wait, 50_000_000L));
            }
            next.onFrame(tsMicros, linkType, frame, capturedLength, originalLength);
        }
    }
}
