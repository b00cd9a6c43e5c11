package dev.fluxtap.aggregator.topk;

/**
 * Bytes and packets per key: open addressing with linear probing over an array of keys and an array of their counters
 * (bytes and packets side by side). A bucket gains tens of thousands of keys a minute; a {@code HashMap<String, long[]>}
 * allocated a node and a counter array for each, and put the node between the slot and the counters, one more cache miss
 * per live view. A key is found by identity first: a flow hands over the same address and pair strings at every view.
 * Grows at half full; keys are never removed (a bucket is dropped whole). Not thread-safe.
 */
final class TalkerCounts {

    /** Slots at most: two counters each must fit one array (2^29 longs, 4 GiB, far beyond any heap this runs in). */
    private static final int MAX_CAPACITY = 1 << 28;

    private String[] keys;
    private long[] counts;
    private int mask;
    private int size;

    TalkerCounts() {
        this(8);
    }

    /** @param expected keys it holds without growing */
    TalkerCounts(int expected) {
        int capacity = 16;
        while (capacity / 2 < expected && capacity < MAX_CAPACITY) {
            capacity <<= 1;
        }
        allocate(capacity);
    }

    private void allocate(int capacity) {
        keys = new String[capacity];
        counts = new long[2 * capacity];
        mask = capacity - 1;
    }

    int size() {
        return size;
    }

    /**
     * Adds to the counters of {@code key}. A key not held yet is added only while fewer than {@code maxKeys} are held;
     * returns false when it was not (the caller counts it elsewhere).
     */
    boolean add(String key, long bytes, long packets, int maxKeys) {
        int h = key.hashCode();
        int i = slot(h);
        for (String k; (k = keys[i]) != null; i = (i + 1) & mask) {
            if (k == key || k.hashCode() == h && k.equals(key)) {
                counts[2 * i] += bytes;
                counts[2 * i + 1] += packets;
                return true;
            }
        }
        if (size >= maxKeys) {
            return false;
        }
        if (size >= (mask + 1) / 2) {
            grow();
            i = slot(h);
            while (keys[i] != null) {
                i = (i + 1) & mask;
            }
        }
        keys[i] = key;
        counts[2 * i] = bytes;
        counts[2 * i + 1] = packets;
        size++;
        return true;
    }

    /** Spreads the high bits of a string's hash into the slot (as {@code HashMap} does): addresses differ in their tails. */
    private int slot(int h) {
        return (h ^ h >>> 16) & mask;
    }

    private void grow() {
        if (keys.length == MAX_CAPACITY) {
            // 2^27 keys of one dimension in one window: the heap runs out first; fail clearly rather than probe a full table
            throw new IllegalStateException("top talkers: more than " + MAX_CAPACITY / 2 + " keys in one window");
        }
        String[] oldKeys = keys;
        long[] oldCounts = counts;
        allocate(oldKeys.length * 2);
        for (int j = 0; j < oldKeys.length; j++) {
            String k = oldKeys[j];
            if (k != null) {
                int i = slot(k.hashCode());
                while (keys[i] != null) {
                    i = (i + 1) & mask;
                }
                keys[i] = k;
                counts[2 * i] = oldCounts[2 * j];
                counts[2 * i + 1] = oldCounts[2 * j + 1];
            }
        }
    }

    interface Visitor {
        void accept(String key, long bytes, long packets);
    }

    /** Visits every key with its counters, in slot order. */
    void forEach(Visitor visitor) {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != null) {
                visitor.accept(keys[i], counts[2 * i], counts[2 * i + 1]);
            }
        }
    }
}
