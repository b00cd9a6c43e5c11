package dev.fluxtap.aggregator.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SequenceCheckTest {

    private final SequenceCheck check = new SequenceCheck();

    @Test
    void gapsAreCountedAndRepeatsDroppedPerAgentBootAndPartition() {
        assertThat(check.sources()).isZero();
        assertThat(check.check("a", "b1", 0, 5)).isEqualTo(SequenceCheck.Verdict.APPLY); // baseline: the log may start late
        assertThat(check.lostInLastCheck()).isZero();
        assertThat(check.check("a", "b1", 0, 6)).isEqualTo(SequenceCheck.Verdict.APPLY);
        assertThat(check.check("a", "b1", 0, 9)).isEqualTo(SequenceCheck.Verdict.APPLY);
        assertThat(check.lostInLastCheck()).isEqualTo(2);
        assertThat(check.check("a", "b1", 0, 9)).isEqualTo(SequenceCheck.Verdict.DUPLICATE);
        assertThat(check.check("a", "b1", 0, 7)).isEqualTo(SequenceCheck.Verdict.DUPLICATE);
        assertThat(check.check("a", "b1", 1, 0)).isEqualTo(SequenceCheck.Verdict.APPLY); // another partition
        assertThat(check.check("a", "b2", 0, 0)).isEqualTo(SequenceCheck.Verdict.APPLY); // the agent restarted
        assertThat(check.lostInLastCheck()).isZero();
        assertThat(check.sources()).isEqualTo(2); // the new boot replaced the old one
    }
}
