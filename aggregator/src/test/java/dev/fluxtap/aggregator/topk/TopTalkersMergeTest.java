package dev.fluxtap.aggregator.topk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fluxtap.aggregator.config.TopKConfig;
import dev.fluxtap.aggregator.flow.Counters;
import dev.fluxtap.aggregator.flow.Flow;
import dev.fluxtap.aggregator.flow.FlowEvent;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Per-partition top talkers merged answer like one instance that saw every partition's traffic. */
class TopTalkersMergeTest {

    private static final long T0 = 1_700_000_000_000_000L;
    private static final long MIN = 60_000_000L;

    private static FlowEvent live(String src, String dst, long ts, long bytes) {
        Flow f = new Flow("f", 0, 4, 17, src, 5353, dst, 53, ts, ts, new Counters(1, bytes, 0), Counters.ZERO, null, null,
                0, 0, 0, false, null, List.of(), List.of(), Flow.pairKey(src, dst), Flow.portKey(17, 53));
        return new FlowEvent(FlowEvent.Kind.LIVE, f, new Counters(1, bytes, 0), Counters.ZERO, List.of(), 0, 0, null, ts, false);
    }

    private static Set<String> heavy(TopTalkersResult r) {
        return r.entries().stream().filter(e -> e.value() >= 100_000).map(TopTalkersResult.Entry::key).collect(Collectors.toSet());
    }

    @Test
    void aMergeThatReusesAnEarlierOnesUnchangedMinutesAnswersLikeAFullMerge() {
        TopKConfig config = new TopKConfig(40, 64, 1000); // few exact keys: some minutes overflow into sketches
        TopTalkers[] parts = {new TopTalkers(config), new TopTalkers(config), new TopTalkers(config)};
        Random random = new Random(7);
        TopTalkers previous = null;
        for (int round = 0; round < 40; round++) {
            // Mostly the newest minute; now and then a late view into an older one, or a partition's first of a minute.
            long newest = round / 4;
            for (int k = random.nextInt(30); k > 0; k--) {
                long minute = random.nextInt(5) == 0 ? Math.max(0, newest - 1 - random.nextInt(3)) : newest;
                parts[random.nextInt(parts.length)].accept(live("10.7.0." + random.nextInt(120), "10.8.0." + random.nextInt(3),
                        T0 + minute * MIN + random.nextInt(1000), 1 + random.nextInt(5000)));
            }
            TopTalkers incremental = TopTalkers.merge(config, List.of(parts), previous);
            TopTalkers full = TopTalkers.merge(config, List.of(parts));
            for (Dimension d : Dimension.values()) {
                for (String window : TopTalkers.WINDOWS) {
                    for (boolean bytes : new boolean[] {true, false}) {
                        assertThat(incremental.query(d, window, bytes, 20)).as("round %d, %s %s", round, d, window)
                                .usingRecursiveComparison().isEqualTo(full.query(d, window, bytes, 20));
                    }
                }
            }
            previous = incremental;
        }
    }

    @Test
    void aMergeReusesTheMinutesNoPartChangedAndMergesTheOthersAgain() {
        TopKConfig config = TopKConfig.defaults();
        TopTalkers[] parts = {new TopTalkers(config), new TopTalkers(config)};
        parts[0].accept(live("10.9.0.1", "10.9.1.1", T0, 100)); // minute 0, an hour before the others
        for (long minute = 60; minute < 65; minute++) {
            for (TopTalkers part : parts) {
                if (minute > 60 || part == parts[1]) { // so minute 0 stays in the first part's slot, beside minute 60
                    part.accept(live("10.9.0.2", "10.9.1.1", T0 + minute * MIN, 100));
                }
            }
        }
        TopTalkers first = TopTalkers.merge(config, List.of(parts));
        TopTalkers unchanged = TopTalkers.merge(config, List.of(parts), first);
        parts[1].accept(live("10.9.0.3", "10.9.1.1", T0 + 62 * MIN, 100)); // a late view into minute 62
        TopTalkers changed = TopTalkers.merge(config, List.of(parts), unchanged);

        for (long m = T0 / MIN + 60; m < T0 / MIN + 65; m++) {
            assertThat(first.bucket(Dimension.HOST, m)).as("minute %d", m).isNotNull();
            assertThat(unchanged.bucket(Dimension.HOST, m)).as("minute %d", m).isSameAs(first.bucket(Dimension.HOST, m));
            if (m == T0 / MIN + 62) {
                assertThat(changed.bucket(Dimension.HOST, m)).isNotSameAs(unchanged.bucket(Dimension.HOST, m));
            } else {
                assertThat(changed.bucket(Dimension.HOST, m)).as("minute %d", m).isSameAs(unchanged.bucket(Dimension.HOST, m));
            }
        }
        assertThat(changed.query(Dimension.HOST, "5m", true, 10).entries()).containsExactly(new TopTalkersResult.Entry("10.9.1.1", 1000),
                new TopTalkersResult.Entry("10.9.0.2", 900), new TopTalkersResult.Entry("10.9.0.3", 100));
    }

    @Test
    void mergedPartitionsAnswerLikeOneTableWithAllTheTraffic() {
        TopKConfig config = new TopKConfig(50, 64, 1000); // few exact keys: the sketches take part in the merge too
        TopTalkers all = new TopTalkers(config);
        TopTalkers[] parts = {new TopTalkers(config), new TopTalkers(config), new TopTalkers(config)};
        for (int i = 0; i < 600; i++) {
            long ts = T0 + (i % 3) * MIN + i; // three minutes
            long bytes = i % 100 == 0 ? 1_000_000 : 10 + i % 13;
            FlowEvent e = live("10.5." + (i / 200) + "." + (i % 200), "10.6.0." + (i % 4), ts, bytes);
            all.accept(e);
            parts[i % 3].accept(e);
        }
        TopTalkers merged = TopTalkers.merge(config, List.of(parts));
        for (String window : TopTalkers.WINDOWS) {
            TopTalkersResult expected = all.query(Dimension.HOST, window, true, 10);
            TopTalkersResult actual = merged.query(Dimension.HOST, window, true, 10);
            assertThat(actual.total()).as(window).isEqualTo(expected.total());
            assertThat(actual.windowEndMicros()).isEqualTo(expected.windowEndMicros());
            assertThat(actual.exact()).isFalse();
            // The heavy hitters (1 MB flows and their destination) are the same, with values within the stated bounds.
            assertThat(heavy(actual)).as(window).isNotEmpty().isEqualTo(heavy(expected));
            assertThat(actual.entries().get(0).key()).isEqualTo(expected.entries().get(0).key());
            long truth = expected.entries().get(0).value();
            assertThat(actual.entries().get(0).value()).isBetween(truth - expected.maxError(), truth + actual.maxError());
        }
        TopTalkersResult exactPorts = merged.query(Dimension.PORT, "60m", false, 10);
        assertThat(exactPorts.exact()).isTrue();
        assertThat(exactPorts.entries()).containsExactly(new TopTalkersResult.Entry("17/53", 600));
        assertThat(exactPorts).usingRecursiveComparison().isEqualTo(all.query(Dimension.PORT, "60m", false, 10));
    }
}
