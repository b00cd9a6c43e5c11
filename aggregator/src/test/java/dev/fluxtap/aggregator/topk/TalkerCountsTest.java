package dev.fluxtap.aggregator.topk;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TalkerCountsTest {

    /**
     * Random adds against a HashMap: equal keys in distinct string instances, colliding hashes, growth from the smallest
     * size and from a size given up front, the key bound.
     */
    @Test
    void countsAsAMapOfCountersDoes() {
        Random random = new Random(20261207L);
        for (int round = 0; round < 50; round++) {
            int maxKeys = 1 + random.nextInt(3000);
            int distinct = 1 + random.nextInt(4000);
            TalkerCounts counts = round % 2 == 0 ? new TalkerCounts() : new TalkerCounts(random.nextInt(5000));
            Map<String, long[]> expected = new HashMap<>();
            long refusedBytes = 0, refusedBytesExpected = 0;
            for (int i = 0; i < 20_000; i++) {
                int k = random.nextInt(distinct);
                // "Aa" and "BB" have the same hash: keys built from them collide whatever the table's size
                String key = random.nextBoolean() ? new String("10.0." + k) : (k % 2 == 0 ? "Aa" : "BB") + (k / 2);
                long bytes = random.nextInt(1500), packets = random.nextInt(3);
                if (counts.add(key, bytes, packets, maxKeys)) {
                    assertThat(expected.containsKey(key) || expected.size() < maxKeys).as("key %s added past the bound", key).isTrue();
                    long[] c = expected.computeIfAbsent(key, x -> new long[2]);
                    c[0] += bytes;
                    c[1] += packets;
                } else {
                    refusedBytes += bytes;
                }
                if (!expected.containsKey(key) && expected.size() >= maxKeys) {
                    refusedBytesExpected += bytes;
                }
            }
            Map<String, long[]> actual = new HashMap<>();
            counts.forEach((key, bytes, packets) -> assertThat(actual.put(key, new long[] {bytes, packets})).as("%s visited twice", key).isNull());
            assertThat(actual).hasSameSizeAs(expected);
            assertThat(counts.size()).isEqualTo(expected.size());
            expected.forEach((key, c) -> assertThat(actual.get(key)).as(key).containsExactly(c[0], c[1]));
            assertThat(refusedBytes).isEqualTo(refusedBytesExpected);
        }
    }
}
