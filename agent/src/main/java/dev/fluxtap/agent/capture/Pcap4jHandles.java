package dev.fluxtap.agent.capture;

import com.sun.jna.Native;
import java.sql.Timestamp;
import java.util.concurrent.atomic.AtomicLong;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.RawPacketListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What the live and the file source share: turning pcap4j's raw callback into {@link FrameHandler} calls. */
final class Pcap4jHandles {

    private static final Logger log = LoggerFactory.getLogger(Pcap4jHandles.class);
    /** The lost-frame counter of the capture running on this thread. */
    private static final ThreadLocal<AtomicLong> LOST_ON_THIS_THREAD = new ThreadLocal<>();
    private static final AtomicLong LOGGED = new AtomicLong();

    static {
        // pcap4j builds a java.sql.Timestamp before calling our listener; a damaged file's impossible timestamp makes it
        // throw inside the JNA callback, and JNA would only print a warning. JNA calls this handler on the capture
        // thread, so the frame is counted against that capture.
        Native.setCallbackExceptionHandler((callback, e) -> {
            AtomicLong lost = LOST_ON_THIS_THREAD.get();
            if (lost != null) {
                lost.incrementAndGet();
            }
            long n = LOGGED.incrementAndGet();
            if (n <= 3 || Long.bitCount(n) == 1) {
                log.warn("a captured frame could not be handed over by pcap4j ({}); counted as lost ({} so far)", e.toString(), n);
            }
        });
    }

    private Pcap4jHandles() {
    }

    /** Counts frames pcap4j fails to deliver on the calling (capture) thread into {@code lost}. */
    static void countLostFramesInto(AtomicLong lost) {
        LOST_ON_THIS_THREAD.set(lost);
    }

    /** The listener for {@code handle.loop(-1, ...)}: timestamp and original length come from the handle's thread-locals. */
    static RawPacketListener listener(PcapHandle handle, int linkType, FrameHandler handler, AtomicLong received) {
        return frame -> {
            received.lazySet(received.get() + 1);
            handler.onFrame(micros(handle.getTimestamp()), linkType, frame, frame.length, originalLength(handle, frame));
        };
    }

    static long micros(Timestamp ts) {
        return Math.floorDiv(ts.getTime(), 1000L) * 1_000_000L + ts.getNanos() / 1000;
    }

    static int originalLength(PcapHandle handle, byte[] frame) {
        Integer len = handle.getOriginalLength();
        return len == null ? frame.length : len;
    }

    static void breakLoop(PcapHandle handle) {
        try {
            handle.breakLoop();
        } catch (NotOpenException e) {
            // Already closed by its capture thread: nothing to break.
        }
    }
}
