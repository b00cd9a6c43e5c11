package dev.fluxtap.agent.capture;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.lang.reflect.Field;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.pcap4j.core.PcapHandle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live capture loop on libpcap's {@code pcap_next_ex}, called through JNA direct mapping on the pcap_t of a pcap4j
 * handle (pcap4j still opens, filters, reads stats of, breaks and closes it). pcap4j's {@code loop()} calls back from
 * native code into Java for every packet and builds a byte array, a {@code Timestamp} and a few boxed values in it;
 * here each packet costs one downcall, one read of its header and one copy of its bytes. Linux on 64-bit
 * little-endian machines only (the {@code pcap_pkthdr} layout is read directly: two 8-byte {@code timeval} fields, then
 * caplen and len); elsewhere {@link #available()} is false and {@link Pcap4jPacketSource} keeps pcap4j's loop.
 */
final class PcapNextExLoop {

    private static final Logger log = LoggerFactory.getLogger(PcapNextExLoop.class);
    private static final Field HANDLE_POINTER = handlePointerField();
    private static final boolean AVAILABLE = register();

    /** pcap_next_ex results. */
    private static final int PACKET = 1;
    private static final int TIMEOUT = 0;
    private static final int BREAK = -2;

    private PcapNextExLoop() {
    }

    private static native int pcap_next_ex(Pointer pcap, long[] header, long[] data);

    private static native String pcap_geterr(Pointer pcap);

    static boolean available() {
        return AVAILABLE;
    }

    /**
     * Hands every packet to the handler until {@code pcap_breakloop} (pcap4j's {@code breakLoop()}) is called on the handle.
     *
     * @throws CaptureException when libpcap reports an error
     */
    static void run(PcapHandle handle, int linkType, FrameHandler handler, AtomicLong received) throws CaptureException {
        Pointer pcap = pointerOf(handle).orElseThrow(() -> new IllegalStateException("no pcap_t in the pcap4j handle"));
        long[] header = new long[1];
        long[] data = new long[1];
        Movable hdr = new Movable();
        Movable bytes = new Movable();
        int[] fields = new int[6];
        long count = received.get();
        while (true) {
            int rc = pcap_next_ex(pcap, header, data);
            if (rc == PACKET) {
                hdr.moveTo(header[0]);
                hdr.read(0, fields, 0, 6);
                long sec = (fields[0] & 0xFFFF_FFFFL) | ((long) fields[1] << 32);
                long usec = (fields[2] & 0xFFFF_FFFFL) | ((long) fields[3] << 32);
                int caplen = fields[4];
                byte[] frame = new byte[caplen];
                bytes.moveTo(data[0]);
                bytes.read(0, frame, 0, caplen);
                received.lazySet(++count);
                handler.onFrame(sec * 1_000_000L + usec, linkType, frame, caplen, fields[5]);
            } else if (rc == BREAK) {
                return;
            } else if (rc != TIMEOUT) {
                throw new CaptureException(CaptureException.Kind.CAPTURE_FAILED, "pcap_next_ex failed (" + rc + "): " + pcap_geterr(pcap), null);
            }
        }
    }

    private static Optional<Pointer> pointerOf(PcapHandle handle) {
        try {
            return Optional.ofNullable((Pointer) HANDLE_POINTER.get(handle));
        } catch (IllegalAccessException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Field handlePointerField() {
        try {
            Field f = PcapHandle.class.getDeclaredField("handle");
            f.setAccessible(true);
            return f.getType() == Pointer.class ? f : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    private static boolean register() {
        if (!Platform.isLinux() || !Platform.is64Bit() || HANDLE_POINTER == null
                || !java.nio.ByteOrder.nativeOrder().equals(java.nio.ByteOrder.LITTLE_ENDIAN)) {
            return false;
        }
        try {
            // The library pcap4j loads (same property, same default).
            Native.register(PcapNextExLoop.class, System.getProperty("org.pcap4j.core.pcapLibName", "pcap"));
            return true;
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            log.info("libpcap's pcap_next_ex is not reachable through JNA ({}): capturing through pcap4j's loop", e.toString());
            return false;
        }
    }

    /** A JNA pointer that can be moved, so that reading each packet allocates nothing but the frame. */
    private static final class Movable extends Pointer {

        Movable() {
            super(0);
        }

        void moveTo(long address) {
            peer = address;
        }
    }
}
