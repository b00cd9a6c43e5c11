package dev.fluxtap.aggregator.decode;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SummaryBatchTest {

    @Test
    void highHalvesAppearWithTheFirstIpv6AddressAndSurviveGrowth() {
        SummaryBatch.Builder b = SummaryBatch.builder("a", "b", 0, 1, 2);
        b.add(1, 4, 6, 0, 0x0A000001L, 0, 0x0A000002L, 1, 2, 60, 2, 7, 0);
        b.add(2, 4, 6, 0, 0x0A000002L, 0, 0x0A000001L, 2, 1, 60, 18, 8, 0);
        b.add(3, 6, 17, 0x2001_0db8_0000_0000L, 1, -1L, 2, 3, 4, 100, 0, 0, 52);
        b.add(4, 6, 17, 0, 5, 0x2001_0db8_0000_0000L, 6, 4, 3, 100, 0, 0, 52);
        SummaryBatch batch = b.build();
        assertThat(batch.size()).isEqualTo(4);
        assertThat(new long[] {batch.srcHi(0), batch.dstHi(0), batch.srcHi(1), batch.dstHi(1)}).containsOnly(0L);
        assertThat(new long[] {batch.srcHi(2), batch.srcLo(2), batch.dstHi(2), batch.dstLo(2)})
                .containsExactly(0x2001_0db8_0000_0000L, 1, -1L, 2);
        assertThat(new long[] {batch.srcHi(3), batch.srcLo(3), batch.dstHi(3), batch.dstLo(3)})
                .containsExactly(0, 5, 0x2001_0db8_0000_0000L, 6);
        SummaryBatch shifted = batch.shifted(10, 2, 1000);
        assertThat(shifted.ts(3)).isEqualTo(14);
        assertThat(shifted.tcpSeq(3)).isEqualTo(batch.tcpSeq(3) + 1000);
        assertThat(shifted.dstHi(2)).isEqualTo(-1L);
    }

    @Test
    void aBatchKnowsItsNewestTimestampAndARestartForgetsIt() {
        SummaryBatch.Builder b = SummaryBatch.builder("a", "b", 0, 1, 4);
        for (long ts : new long[] {30, 50, 10, 40}) {
            b.add(ts, 4, 17, 0, 1, 0, 2, 1, 2, 60, 0, 0, 32);
        }
        assertThat(b.build().newestTs()).isEqualTo(50);
        assertThat(b.restart("a", "b", 0, 2, 4).build().newestTs()).isEqualTo(Long.MIN_VALUE);
        assertThat(b.add(-5, 4, 17, 0, 1, 0, 2, 1, 2, 60, 0, 0, 32).build().newestTs()).isEqualTo(-5);
    }

    @Test
    void anIpv4OnlyBatchReadsZeroHighHalves() {
        SummaryBatch batch = SummaryBatch.builder("a", "b", 0, 1, 1).add(1, 4, 6, 0, 0x0A000001L, 0, 0x0A000002L, 1, 2, 60, 2, 7, 0).build();
        assertThat(new long[] {batch.srcHi(0), batch.srcLo(0), batch.dstHi(0), batch.dstLo(0)}).containsExactly(0, 0x0A000001L, 0, 0x0A000002L);
    }
}
