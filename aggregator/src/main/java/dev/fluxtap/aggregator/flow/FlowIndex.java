package dev.fluxtap.aggregator.flow;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * A table's open flows by key, each with a dense row of 64 bytes: its key and what a common packet's update changes
 * (see {@link PacketRow}). Open addressing with linear probing over a power-of-two array of row numbers, each beside
 * its key's hash; a look-up compares the hash in the slot, then the key in the row, so it reads the slot and the row and
 * no object, and a probe past another key's slot reads no row. With tens of thousands of flows the
 * rows stay within the caches where the flows' objects do not: on this project's hosts a dependent read costs about
 * 30 ns up to 4 MiB of working set and 135 ns from 8 MiB (docs/BENCHMARKS.md, {@code bench/memory.sh}), and 60 000
 * flows take 3.7 MiB of rows. Removal shifts the following entries of the probe run back (no tombstones), so a look-up
 * never probes past deleted slots; a freed row is reused. Not thread-safe: the owning table calls it under its lock.
 */
final class FlowIndex {

    private static final int MAX_CAPACITY = 1 << 30;

    /** A row number (from 1) in the low half and its key's hash in the high half; 0 is an empty slot. */
    private long[] slots;
    private int mask;
    private int size;
    private int growAt;
    private boolean visiting;
    /** The rows, {@link PacketRow#LONGS} longs each; row 0 is unused. */
    private long[] rows;
    /** Each row's state, read off the per-packet path. */
    private FlowState[] states;
    /** Rows in use or freed: the highest row number handed out. */
    private int rowsUsed;
    private int[] freeRows = new int[16];
    private int freeCount;

    /** @param expected states it holds without growing */
    FlowIndex(int expected) {
        int capacity = 16;
        while (capacity / 2 < expected && capacity < MAX_CAPACITY) {
            capacity <<= 1;
        }
        allocate(capacity);
        int rowCapacity = Math.max(16, expected + 1);
        rows = new long[rowCapacity * PacketRow.LONGS];
        states = new FlowState[rowCapacity];
    }

    /** Grows at half full: probe runs stay short, so a miss (a new flow) stops at an empty slot soon. */
    private void allocate(int capacity) {
        slots = new long[capacity];
        mask = capacity - 1;
        growAt = capacity == MAX_CAPACITY ? Integer.MAX_VALUE : capacity / 2;
    }

    int size() {
        return size;
    }

    /** The rows, for {@link PacketRow}'s operations; a row's first long is at {@code row * PacketRow.LONGS}. */
    long[] rows() {
        return rows;
    }

    /** The state of a row that {@link #find} returned. */
    FlowState state(int row) {
        return states[row];
    }

    /** The state whose key equals {@code key}, or null. */
    FlowState get(FlowKey key) {
        int row = find(key);
        return row == 0 ? null : states[row];
    }

    /** The row of the flow whose key equals {@code key}, or 0. */
    int find(FlowKey key) {
        int h = key.hashCode();
        boolean compact = PacketRow.compact(key.ipVersion, key.protocol, key.aHi, key.aLo, key.aPort, key.bHi, key.bLo, key.bPort);
        long k0 = compact ? PacketRow.compactAddresses(key.aLo, key.bLo) : h;
        long k1 = compact ? PacketRow.compactRest(key.ipVersion, key.protocol, key.aPort, key.bPort) : PacketRow.HASHED;
        long[] s = slots;
        long[] r = rows;
        int m = mask;
        for (int i = h & m; ; i = (i + 1) & m) {
            long entry = s[i];
            if (entry == 0) {
                return 0;
            }
            // The hash first: a probe past another key's entry reads no row.
            if ((int) (entry >>> 32) == h) {
                int row = (int) entry;
                int o = row * PacketRow.LONGS;
                if (r[o + PacketRow.KEY_REST] == k1 && r[o + PacketRow.KEY_ADDRESSES] == k0 && (compact || states[row].hasKey(key))) {
                    return row;
                }
            }
        }
    }

    /** Adds a state whose key is not in the index yet (the caller looked it up first). */
    void add(FlowState f) {
        checkNotVisiting();
        if (size >= growAt) {
            grow();
        }
        int row = freeCount > 0 ? freeRows[--freeCount] : newRow();
        states[row] = f;
        f.row = row;
        PacketRow.init(rows, row, f);
        place((long) f.hashCode() << 32 | row);
        size++;
    }

    private int newRow() {
        int row = ++rowsUsed;
        if (row == states.length) {
            int capacity = states.length * 2;
            rows = Arrays.copyOf(rows, capacity * PacketRow.LONGS);
            states = Arrays.copyOf(states, capacity);
        }
        return row;
    }

    private void place(long entry) {
        int i = (int) (entry >>> 32) & mask;
        while (slots[i] != 0) {
            i = (i + 1) & mask;
        }
        slots[i] = entry;
    }

    private void grow() {
        long[] old = slots;
        allocate(old.length * 2);
        for (long entry : old) {
            if (entry != 0) {
                place(entry);
            }
        }
    }

    /** True when this very state (by identity) is in the index. */
    boolean contains(FlowState f) {
        return f.row != 0 && f.row <= rowsUsed && states[f.row] == f;
    }

    /** Removes this very state (by identity); returns false when it is not in the index. */
    boolean remove(FlowState f) {
        checkNotVisiting();
        if (!contains(f)) {
            return false;
        }
        int row = f.row;
        int i = f.hashCode() & mask;
        while ((int) slots[i] != row) {
            i = (i + 1) & mask;
        }
        // Backward shift: an entry later in the run moves into the hole unless its home slot lies after the hole.
        int hole = i;
        for (int j = (hole + 1) & mask; slots[j] != 0; j = (j + 1) & mask) {
            int home = (int) (slots[j] >>> 32) & mask;
            if (((j - home) & mask) >= ((j - hole) & mask)) {
                slots[hole] = slots[j];
                hole = j;
            }
        }
        slots[hole] = 0;
        states[row] = null;
        Arrays.fill(rows, row * PacketRow.LONGS, (row + 1) * PacketRow.LONGS, 0L);
        f.row = 0;
        if (freeCount == freeRows.length) {
            freeRows = Arrays.copyOf(freeRows, freeCount * 2);
        }
        freeRows[freeCount++] = row;
        size--;
        return true;
    }

    /**
     * Visits every state, in row order. The action must not add or remove states (collect them, then remove), so that
     * no row is reused during the visit.
     */
    void forEach(Consumer<FlowState> action) {
        visiting = true;
        try {
            for (int row = 1; row <= rowsUsed; row++) {
                FlowState f = states[row];
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
