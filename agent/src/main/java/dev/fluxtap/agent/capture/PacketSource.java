package dev.fluxtap.agent.capture;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.IntFunction;

/**
 * A source of raw frames: live interfaces or capture files. Each capture runs on a thread of its own and calls the
 * {@link FrameHandler} made for it, so a handler is only ever called by one thread.
 */
public interface PacketSource {

    /** Names of the captures (interfaces or files), in index order. */
    List<String> names();

    /**
     * Opens every capture and starts the capture threads. Fails without starting anything when a capture cannot be
     * opened.
     *
     * @param handlerPerCapture makes the handler of capture {@code i} (index into {@link #names()})
     */
    void start(IntFunction<FrameHandler> handlerPerCapture) throws CaptureException;

    /** Stops every capture, also when no packet arrives, and waits for the threads to end. Idempotent. */
    void stop();

    /** Waits until every capture has ended (the files were read, or {@link #stop()} was called). */
    boolean awaitTermination(Duration timeout) throws InterruptedException;

    /** True while every capture is open. */
    boolean isOpen();

    /** Current counters of every capture. */
    List<CaptureStats> stats();

    /** The error that ended a capture early, if any. */
    Optional<CaptureException> failure();
}
