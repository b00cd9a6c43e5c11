package dev.fluxtap.aggregator.flow;

import java.util.function.Consumer;

/**
 * A table's open flows by key: open addressing with linear probing over a power-of-two array of states, with a parallel
 * array of their hashes. A look-up compares hashes in that array and touches a state only when its hash matches: a
 * {@code HashMap} adds a node per entry between the slot and the state, one more cache miss per packet at the flow
 * counts of a busy table. Removal shifts the following entries of the probe run back (no tombstones), so a look-up
 * never probes past deleted slots. Not thread-safe: the owning table calls it under its lock.
 */
final class FlowIndex {

    private static final int MAX_CAPACITY = 1 << 30;

    private FlowState[] states;
    private int[] hashes;
    private int mask;
    private int size;
    private int growAt;
    private boolean visiting;

    /** @param expected states it holds without growing */
    FlowIndex(int expected) {
        int capacity = 16;
        while (capacity / 2 < expected && capacity < MAX_CAPACITY) {
            capacity <<= 1;
        }
        allocate(capacity);
    }

    /** Grows at half full: probe runs stay short, so a miss (a new flow) stops at an empty slot soon. */
    private void allocate(int capacity) {
        states = new FlowState[capacity];
        hashes = new int[capacity];
        mask = capacity - 1;
        growAt = capacity == MAX_CAPACITY ? Integer.MAX_VALUE : capacity / 2;
    }

    int size() {
        return size;
    }

    /** The state whose key equals {@code key}, or null. */
    FlowState get(FlowKey key) {
        int h = key.hashCode();
        FlowState[] s = states;
        int[] hs = hashes;
        int m = mask;
        for (int i = h & m; ; i = (i + 1) & m) {
            FlowState f = s[i];
            if (f == null) {
                return null;
            }
            if (hs[i] == h && f.hasKey(key)) {
                return f;
            }
        }
    }

    /** Adds a state whose key is not in the index yet (the caller looked it up first). */
    void add(FlowState f) {
        checkNotVisiting();
        if (size >= growAt) {
            grow();
        }
        place(f);
        size++;
    }

    private void place(FlowState f) {
        int h = f.hashCode();
        int i = h & mask;
        while (states[i] != null) {
            i = (i + 1) & mask;
        }
        states[i] = f;
        hashes[i] = h;
    }

    private void grow() {
        FlowState[] old = states;
        allocate(old.length * 2);
        for (FlowState f : old) {
            if (f != null) {
                place(f);
            }
        }
    }

    /** True when this very state (by identity) is in the index. */
    boolean contains(FlowState f) {
        return slotOf(f) >= 0;
    }

    private int slotOf(FlowState f) {
        int i = f.hashCode() & mask;
        while (states[i] != f) {
            if (states[i] == null) {
                return -1;
            }
            i = (i + 1) & mask;
        }
        return i;
    }

    /** Removes this very state (by identity); returns false when it is not in the index. */
    boolean remove(FlowState f) {
        checkNotVisiting();
        int i = slotOf(f);
        if (i < 0) {
            return false;
        }
        // Backward shift: an entry later in the run moves into the hole unless its home slot lies after the hole.
        int hole = i;
        for (int j = (hole + 1) & mask; states[j] != null; j = (j + 1) & mask) {
            int home = hashes[j] & mask;
            if (((j - home) & mask) >= ((j - hole) & mask)) {
                states[hole] = states[j];
                hashes[hole] = hashes[j];
                hole = j;
            }
        }
        states[hole] = null;
        hashes[hole] = 0;
        size--;
        return true;
    }

    /**
     * Visits every state, in slot order. The action must not add or remove states: a removal shifts entries back across
     * the visit position (collect them, then remove).
     */
    void forEach(Consumer<FlowState> action) {
        visiting = true;
        try {
            for (FlowState f : states) {
                if (f != null) {
                    action.accept(f);
                }
            }
        } finally {
            visiting = false;
        }
    }

    private void checkNotVisiting() {
        if (visiting) {
            throw new IllegalStateException("flow index changed during forEach");
        }
    }
}
