package dev.fluxtap.agent.capture;

import java.sql.Timestamp;
import java.util.concurrent.atomic.AtomicLong;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.RawPacketListener;

/** What the live and the file source share: turning pcap4j's raw callback into {@link FrameHandler} calls. */
final class Pcap4jHandles {

    private Pcap4jHandles() {
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
