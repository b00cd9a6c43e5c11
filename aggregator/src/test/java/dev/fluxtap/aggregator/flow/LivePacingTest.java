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
    void badSettingsAreRefusedWithWhatWasWrong() {
        assertThatThrownBy(() -> LivePacing.commonSlot(Duration.ofNanos(10), Duration.ofMinutes(1)))
                .hasMessageContaining("below 1 µs");
        assertThatThrownBy(() -> new LivePacing(Duration.ofSeconds(10), Duration.ofMillis(-1), System::nanoTime))
                .hasMessageContaining("must not be negative");
    }
}
