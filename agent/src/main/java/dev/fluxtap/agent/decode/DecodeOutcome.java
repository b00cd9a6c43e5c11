package dev.fluxtap.agent.decode;

/** Result of decoding one frame. */
public enum DecodeOutcome {
    /** {@link FrameDecoder#packet()} holds the decoded headers. */
    DECODED,
    /** Rejected; {@link FrameDecoder#malformedReason()} says why. */
    MALFORMED,
    /** Not an IP packet; {@link FrameDecoder#skipReason()} says what it was. */
    SKIPPED
}
