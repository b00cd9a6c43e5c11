package dev.fluxtap.aggregator.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LivePacingTest {

    @Test
    void theAttributionSlotDividesEveryStep() {
        assertThat(LivePacing.commonSlot(Duration.ofSeconds(10), Duration.ofMinutes(1))).isEqualTo(Duration.ofSeconds(10));
        assertThat(LivePacing.commonSlot(Duration.ofSeconds(7), Duration.ofMinutes(1))).isEqualTo(Duration.ofSeconds(1));
        assertThat(LivePacing.commonSlot(Duration.ofMillis(1500), Duration.ofMinutes(1))).isEqualTo(Duration.ofMillis(1500));
        assertThat(LivePacing.commonSlot(Duration.ofMinutes(5), Duration.ofMinutes(1))).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void aTableRunsAheadFromOneSlotOfEventTimePerTwoMinimumIntervals() {
        LivePacing pacing = new LivePacing(Duration.ofSeconds(10), Duration.ofMillis(500), System::nanoTime);
        long second = 1_000_000_000L;
        assertThat(pacing.runningAhead(1_000_000, second)).isFalse(); // live: one event second per wall second
        assertThat(pacing.runningAhead(9_900_000, second)).isFalse();
        assertThat(pacing.runningAhead(10_000_000, second)).isTrue(); // a 10 s slot per second of wall time
        assertThat(pacing.runningAhead(25_000_000, second)).isTrue();
        assertThat(new LivePacing(Duration.ofSeconds(10), Duration.ZERO, System::nanoTime).runningAhead(25_000_000, second)).isFalse();
    }

    @Test
    void badSettingsAreRefusedWithWhatWasWrong() {
        assertThatThrownBy(() -> LivePacing.commonSlot(Duration.ofNanos(10), Duration.ofMinutes(1)))
                .hasMessageContaining("below 1 µs");
        assertThatThrownBy(() -> new LivePacing(Duration.ofSeconds(10), Duration.ofMillis(-1), System::nanoTime))
                .hasMessageContaining("must not be negative");
    }
}
