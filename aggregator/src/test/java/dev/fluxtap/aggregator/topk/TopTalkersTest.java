package dev.fluxtap.aggregator.topk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fluxtap.aggregator.config.TopKConfig;
import dev.fluxtap.aggregator.flow.Counters;
import dev.fluxtap.aggregator.flow.Flow;
import dev.fluxtap.aggregator.flow.FlowEvent;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TopTalkersTest {

    private static final long T0 = 1_700_000_000_000_000L;
    private static final long MIN = 60_000_000L;

    private static FlowEvent live(String src, String dst, int dport, long ts, long bytes) {
        Flow f = new Flow("f", 0, 4, 6, src, 40000, dst, dport, ts, ts, new Counters(1, bytes, 0), Counters.ZERO, "ESTABLISHED", null,
                0, 0, 0, false, null, List.of(), List.of(), Flow.pairKey(src, dst), Flow.portKey(6, dport));
        return new FlowEvent(FlowEvent.Kind.LIVE, f, new Counters(1, bytes, 0), Counters.ZERO, List.of(), 0, 0, null, ts, false);
    }

    @Test
    void windowsSlideInEventTime() {
        TopTalkers top = new TopTalkers(TopKConfig.defaults());
        top.accept(live("10.0.0.1", "10.0.0.9", 443, T0, 100));
        top.accept(live("10.0.0.2", "10.0.0.9", 443, T0 + 10 * MIN, 50));
        TopTalkersResult oneMinute = top.query(Dimension.HOST, "1m", true, 10);
        assertThat(oneMinute.entries()).extracting(TopTalkersResult.Entry::key).containsExactlyInAnyOrder("10.0.0.2", "10.0.0.9");
        TopTalkersResult fifteen = top.query(Dimension.HOST, "15m", true, 10);
        assertThat(fifteen.entries()).containsExactly(new TopTalkersResult.Entry("10.0.0.9", 150), new TopTalkersResult.Entry("10.0.0.1", 100),
                new TopTalkersResult.Entry("10.0.0.2", 50));
        assertThat(fifteen.total()).isEqualTo(300);
        assertThat(top.query(Dimension.PORT, "15m", false, 10).entries()).containsExactly(new TopTalkersResult.Entry("6/443", 2));
    }

    @Test
    void theSelectionKeepsWhatAFullSortWouldListFirst() {
        java.util.Random random = new java.util.Random(7);
        for (int round = 0; round < 200; round++) {
            int limit = random.nextInt(12);
            List<TopTalkersResult.Entry> offered = new java.util.ArrayList<>();
            for (int i = random.nextInt(60); i > 0; i--) { // few distinct values: many ties, broken by key
                offered.add(new TopTalkersResult.Entry("k" + random.nextInt(1000), random.nextInt(6) - 1));
            }
            List<TopTalkersResult.Entry> distinct = offered.stream().collect(java.util.stream.Collectors.toMap(TopTalkersResult.Entry::key,
                    e -> e, (x, y) -> x, java.util.LinkedHashMap::new)).values().stream().toList();
            TopTalkers.TopSelection selection = new TopTalkers.TopSelection(limit);
            distinct.forEach(e -> selection.offer(e.key(), e.value()));
            List<TopTalkersResult.Entry> sorted = distinct.stream().filter(e -> e.value() > 0)
                    .sorted(java.util.Comparator.comparingLong(TopTalkersResult.Entry::value).reversed().thenComparing(TopTalkersResult.Entry::key))
                    .limit(limit).toList();
            assertThat(selection.best()).as("round %d, limit %d, offered %s", round, limit, distinct).isEqualTo(sorted);
        }
    }

    @Test
    void anAnswerIsReusedUntilTheNextChange() {
        TopTalkers top = new TopTalkers(TopKConfig.defaults());
        top.accept(live("10.0.0.1", "10.0.0.9", 443, T0, 100));
        TopTalkersResult first = top.query(Dimension.HOST, "5m", true, 10);
        assertThat(top.query(Dimension.HOST, "5m", true, 10)).isSameAs(first);
        assertThat(top.query(Dimension.HOST, "5m", true, 1).entries()).hasSize(1); // another query is answered on its own
        top.accept(live("10.0.0.3", "10.0.0.9", 443, T0 + 1000, 500));
        TopTalkersResult after = top.query(Dimension.HOST, "5m", true, 10);
        assertThat(after).isNotSameAs(first);
        assertThat(after.entries().get(0)).isEqualTo(new TopTalkersResult.Entry("10.0.0.9", 600));
    }

    @Test
    void beyondTheExactKeysTheSketchTakesOverWithAStatedErrorBound() {
        TopTalkers top = new TopTalkers(new TopKConfig(100, 64, 1000));
        Map<String, Long> truth = new HashMap<>();
        for (int i = 0; i < 2000; i++) {
            String src = "10.9." + (i / 256) + "." + (i % 256);
            long bytes = i < 5 ? 1_000_000 - i : 10 + i % 7; // five heavy hitters among many mice
            top.accept(live(src, "10.8.0.1", 80, T0 + i, bytes));
            truth.put(src, bytes);
        }
        TopTalkersResult r = top.query(Dimension.PAIR, "5m", true, 5);
        assertThat(r.exact()).isFalse();
        assertThat(r.maxError()).isPositive();
        assertThat(r.entries()).hasSize(5);
        for (TopTalkersResult.Entry e : r.entries()) {
            long actual = truth.get(e.key().substring(0, e.key().indexOf('|')));
            assertThat(e.value()).isBetween(actual, actual + r.maxError());
        }
        assertThat(r.entries()).extracting(e -> e.key().substring(0, e.key().indexOf('|')))
                .containsExactlyInAnyOrder("10.9.0.0", "10.9.0.1", "10.9.0.2", "10.9.0.3", "10.9.0.4"); // within maxError of each other
    }
}
