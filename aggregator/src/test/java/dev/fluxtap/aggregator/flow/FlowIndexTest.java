package dev.fluxtap.aggregator.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FlowIndexTest {

    private static final AgentClock CLOCK = new AgentClock(0);

    /** The key of flow {@code n}: a distinct client address and port towards one server. */
    private static FlowKey key(int n) {
        FlowKey k = new FlowKey();
        k.set(4, 6, 0, 0x0A00_0000L + n, 1024 + n % 60_000, 0, 0x0A10_0001L, 443);
        return k;
    }

    /** An IPv6 key: its row holds the hash, and the state compares the key. */
    private static FlowKey key6(int n) {
        FlowKey k = new FlowKey();
        k.set(6, 6, 0x2001_0db8_0000_0000L, n, 1024 + n % 60_000, 0x2001_0db8_0000_0000L, 0xFFFF_FFFFL, 443);
        return k;
    }

    /** Key {@code n} with its hash forced, to make colliding keys. */
    private static FlowKey key(int n, int hash) {
        FlowKey k = key(n);
        k.hash = hash;
        return k;
    }

    private static FlowState state(FlowKey key) {
        return new FlowState(key, "a", CLOCK);
    }

    private static Set<FlowState> contents(FlowIndex index) {
        Set<FlowState> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        index.forEach(f -> assertThat(seen.add(f)).as("visited once").isTrue());
        return seen;
    }

    private static Set<FlowState> identitySet(Collection<FlowState> states) {
        Set<FlowState> set = Collections.newSetFromMap(new IdentityHashMap<>());
        set.addAll(states);
        return set;
    }

    @Test
    void findsWhatWasAddedByAnEqualKeyUntilRemoved() {
        FlowIndex index = new FlowIndex(4);
        FlowState one = state(key(1)), two = state(key(2));
        index.add(one);
        index.add(two);
        assertThat(index.get(key(1))).isSameAs(one);
        assertThat(index.get(key(2))).isSameAs(two);
        assertThat(index.get(key(3))).isNull();
        assertThat(index.size()).isEqualTo(2);

        assertThat(index.contains(one)).isTrue();
        assertThat(index.remove(one)).isTrue();
        assertThat(index.contains(one)).isFalse();
        assertThat(index.get(key(1))).isNull();
        assertThat(index.get(key(2))).isSameAs(two);
        assertThat(index.remove(one)).isFalse();
        assertThat(index.size()).isEqualTo(1);
    }

    @Test
    void removesByIdentityNotByEqualKey() {
        FlowIndex index = new FlowIndex(4);
        FlowState held = state(key(1));
        index.add(held);
        assertThat(index.remove(state(key(1)))).isFalse();
        assertThat(index.get(key(1))).isSameAs(held);
    }

    @Test
    void growsFromItsInitialCapacityKeepingEveryState() {
        FlowIndex index = new FlowIndex(1);
        List<FlowState> added = new ArrayList<>();
        for (int n = 0; n < 20_000; n++) {
            FlowState f = state(key(n));
            index.add(f);
            added.add(f);
        }
        assertThat(index.size()).isEqualTo(20_000);
        for (int n = 0; n < 20_000; n++) {
            if (index.get(key(n)) != added.get(n)) {
                fail("key %d not found", n);
            }
        }
        assertThat(contents(index)).isEqualTo(identitySet(added));
    }

    @Test
    void keysWithEqualHashesAreToldApartAndSurviveRemovalsAmongThem() {
        FlowIndex index = new FlowIndex(64);
        List<FlowState> added = new ArrayList<>();
        for (int n = 0; n < 40; n++) {
            // one hash for most, and hashes with the same home slot but a different value for every fifth
            FlowState f = state(key(n, n % 5 == 0 ? 7 + (n << 16) : 7));
            index.add(f);
            added.add(f);
        }
        for (int n = 0; n < 40; n += 3) {
            assertThat(index.remove(added.get(n))).isTrue();
        }
        for (int n = 0; n < 40; n++) {
            FlowState found = index.get(key(n, added.get(n).hashCode()));
            assertThat(found).isSameAs(n % 3 == 0 ? null : added.get(n));
        }
        assertThat(index.get(key(1000, 7))).isNull();
    }

    @Test
    void aProbeRunThatWrapsPastTheEndShiftsBackAcrossIt() {
        FlowIndex index = new FlowIndex(8); // 16 slots: hash 14 lands in slots 14, 15, 0, 1, ...
        List<FlowState> added = new ArrayList<>();
        for (int n = 0; n < 6; n++) {
            FlowState f = state(key(n, n < 4 ? 14 : 0)); // two whose home is slot 0, pushed further by the wrapped run
            index.add(f);
            added.add(f);
        }
        index.remove(added.get(0));
        index.remove(added.get(4));
        assertThat(index.get(key(0, 14))).isNull();
        assertThat(index.get(key(4, 0))).isNull();
        for (int n : new int[] {1, 2, 3, 5}) {
            assertThat(index.get(key(n, added.get(n).hashCode()))).isSameAs(added.get(n));
        }
        assertThat(contents(index)).containsExactlyInAnyOrder(added.get(1), added.get(2), added.get(3), added.get(5));
    }

    @Test
    void removingWhatAVisitCollectedLeavesExactlyTheOthers() {
        FlowIndex index = new FlowIndex(16);
        List<FlowState> added = new ArrayList<>();
        List<FlowKey> keys = new ArrayList<>();
        for (int n = 0; n < 5_000; n++) {
            FlowKey k = key(n, n % 7 == 0 ? 99 : key(n).hashCode()); // runs of collisions among the rest
            FlowState f = state(k);
            index.add(f);
            added.add(f);
            keys.add(k);
        }
        List<FlowState> ending = new ArrayList<>();
        index.forEach(f -> {
            if ((f.aLo & 1) == 0) {
                ending.add(f);
            }
        });
        ending.forEach(index::remove);
        List<FlowState> kept = added.stream().filter(f -> (f.aLo & 1) != 0).toList();
        assertThat(index.size()).isEqualTo(kept.size());
        assertThat(contents(index)).isEqualTo(identitySet(kept));
        for (int n = 0; n < added.size(); n++) {
            FlowState f = added.get(n);
            if (index.get(keys.get(n)) != ((f.aLo & 1) != 0 ? f : null) || index.contains(f) != ((f.aLo & 1) != 0)) {
                fail("key %d found %s", n, index.get(keys.get(n)));
            }
        }
    }

    @Test
    void changingTheIndexDuringAVisitIsRefused() {
        FlowIndex index = new FlowIndex(4);
        FlowState one = state(key(1));
        index.add(one);
        assertThatThrownBy(() -> index.forEach(index::remove)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> index.forEach(f -> index.add(state(key(2))))).isInstanceOf(IllegalStateException.class);
        assertThat(index.get(key(1))).isSameAs(one);
        index.remove(one); // allowed again after the visit
        assertThat(index.size()).isZero();
    }

    /**
     * Random adds, removes and look-ups against a HashMap, over few keys and few hash values, so runs collide often; a
     * third of the keys are IPv6, whose rows hold their hash, so equal hashes are told apart by the state's key.
     */
    @Test
    void randomOperationsAgreeWithAHashMap() {
        for (long seed = 1; seed <= 20; seed++) {
            Random random = new Random(seed);
            int keys = 50 + random.nextInt(3000);
            int hashValues = 1 + random.nextInt(keys);
            FlowKey[] pool = new FlowKey[keys];
            for (int n = 0; n < keys; n++) {
                pool[n] = n % 3 == 2 ? key6(n) : key(n);
                if (random.nextBoolean()) {
                    pool[n].hash = random.nextInt(hashValues) * 0x9E37_79B9;
                }
            }
            FlowIndex index = new FlowIndex(random.nextInt(64));
            Map<Integer, FlowState> model = new HashMap<>();
            for (int op = 0; op < 50_000; op++) {
                int n = random.nextInt(keys);
                FlowState present = model.get(n);
                int what = random.nextInt(10);
                if (what < 4 && present == null) {
                    FlowState f = state(pool[n]);
                    index.add(f);
                    model.put(n, f);
                } else if (what < 7 && present != null) {
                    if (!index.remove(present)) {
                        fail("seed %d op %d: key %d not removed", seed, op, n);
                    }
                    model.remove(n);
                } else if (index.get(pool[n]) != present) {
                    fail("seed %d op %d: key %d found %s, expected %s", seed, op, n, index.get(pool[n]), present);
                }
                if (index.size() != model.size()) {
                    fail("seed %d op %d: size %d, expected %d", seed, op, index.size(), model.size());
                }
            }
            assertThat(contents(index)).as("seed %d", seed).isEqualTo(identitySet(model.values()));
            for (int n = 0; n < keys; n++) {
                assertThat(index.get(pool[n])).as("seed %d key %d", seed, n).isSameAs(model.get(n));
            }
        }
    }
}
