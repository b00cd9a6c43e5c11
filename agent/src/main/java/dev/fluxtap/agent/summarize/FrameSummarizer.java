package dev.fluxtap.agent.summarize;

import dev.fluxtap.agent.capture.FrameHandler;
import dev.fluxtap.agent.decode.DecodeOutcome;
import dev.fluxtap.agent.decode.FrameDecoder;

/**
 * The work done on a capture thread for each frame: decode it and put its summary on the queue. One instance per
 * capture thread (its decoder and counters are single-writer). Never blocks.
 */
public final class FrameSummarizer implements FrameHandler {

    private final int ifIndex;
    private final FrameDecoder decoder;
    private final SummaryQueue queue;

    public FrameSummarizer(int ifIndex, FrameDecoder decoder, SummaryQueue queue) {
        this.ifIndex = ifIndex;
        this.decoder = decoder;
        this.queue = queue;
    }

    @Override
    public void onFrame(long tsMicros, int linkType, byte[] frame, int capturedLength, int originalLength) {
        if (decoder.decode(linkType, frame, capturedLength, originalLength) == DecodeOutcome.DECODED) {
            queue.offer(PacketSummary.of(decoder.packet(), tsMicros, ifIndex));
        }
    }
}
