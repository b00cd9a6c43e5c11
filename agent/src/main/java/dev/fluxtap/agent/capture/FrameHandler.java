package dev.fluxtap.agent.capture;

/**
 * Receives the raw frames of one capture thread. Called on the capture thread: it must return quickly and never block.
 * The byte array belongs to the handler after the call (each frame arrives in a fresh array).
 */
@FunctionalInterface
public interface FrameHandler {

    /**
     * @param tsMicros        capture timestamp, microseconds since the Unix epoch
     * @param linkType        libpcap link type (DLT) of the capture
     * @param frame           captured bytes
     * @param capturedLength  valid bytes in {@code frame}
     * @param originalLength  length of the packet on the wire
     */
    void onFrame(long tsMicros, int linkType, byte[] frame, int capturedLength, int originalLength);
}
