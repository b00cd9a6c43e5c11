package dev.fluxtap.agent.decode;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of the frame decoder with Jazzer. In a normal test run it replays the seed inputs (frames
 * cut from tcpdump's regression corpus, in FrameDecoderFuzzTestInputs/) and the crashes found so far; with
 * {@code JAZZER_FUZZ=1 ./mvnw -pl agent test -Dtest=FrameDecoderFuzzTest} it fuzzes for {@code maxDuration}.
 * The property: whatever the bytes and link type, decode returns an outcome and never throws.
 */
class FrameDecoderFuzzTest {

    private static final int[] LINK_TYPES = {1, 0, 12, 14, 101, 108, 113, 276, 228, 229};

    @FuzzTest(maxDuration = "60s")
    void decodeNeverThrows(FuzzedDataProvider data) {
        int linkType = LINK_TYPES[data.consumeInt(0, LINK_TYPES.length - 1)];
        int originalExtra = data.consumeInt(0, 1500);
        byte[] frame = data.consumeRemainingAsBytes();
        FrameDecoder decoder = new FrameDecoder();

        DecodeOutcome outcome = decoder.decode(linkType, frame, frame.length, frame.length + originalExtra);

        assertThat(outcome).isNotNull();
    }
}
