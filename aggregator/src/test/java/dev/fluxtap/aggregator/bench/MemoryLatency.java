package dev.fluxtap.aggregator.bench;

import java.util.Locale;
import java.util.Random;

/**
 * What this host's caches and memory cost a flow table, by working-set size (see bench/memory.sh and
 * docs/BENCHMARKS.md): a pointer chase over 64-byte lines in random order (each read waits for the one before: the
 * latency of a miss), and reads of random lines that do not depend on each other (what a look-up pass that overlaps its
 * misses can reach). The flow table's rate at a given flow count follows from where its states fall on this curve, and
 * two hosts of the same specification can differ by 2x there (docs/BENCHMARKS.md, "Another machine").
 */
public final class MemoryLatency {

    private static final int LINE_INTS = 16;
    /** The largest working set: the array is the working set, and bench/memory.sh gives the JVM 1 GiB of heap. */
    private static final int MAX_KIB = 512 * 1024;
    private static final int STEPS = 20_000_000;
    /** Where the reads' results go, so that the JIT keeps them. */
    static volatile long sink;

    public static void main(String[] args) {
        int[] sizesKib;
        try {
            sizesKib = args.length == 0 ? new int[] {256, 1024, 2048, 4096, 8192, 16384, 32768, 65536}
                    : BenchSupport.wholeNumbers(args, 4, MAX_KIB, "memory: give working-set sizes in KiB from 4 to " + MAX_KIB + " (512 MiB), e.g. 1024 65536");
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        System.out.println("| working set | dependent reads (chase), ns | independent random lines, ns |");
        System.out.println("|---|---|---|");
        for (int kib : sizesKib) {
            int lines = kib * 1024 / 64;
            int[] memory = chain(lines);
            sink += chase(memory, STEPS / 4); // warm-up: the JIT and the pages
            sink += independent(memory, lines, STEPS / 4);
            long t0 = System.nanoTime();
            sink += chase(memory, STEPS);
            double dependent = (System.nanoTime() - t0) / (double) STEPS;
            t0 = System.nanoTime();
            sink += independent(memory, lines, STEPS);
            double overlapped = (System.nanoTime() - t0) / (double) STEPS;
            System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f |%n", kib >= 1024 ? kib / 1024 + " MiB" : kib + " KiB", dependent, overlapped);
        }
    }


    /** One int per 64-byte line, holding the index of the next line of one cycle through all lines in random order. */
    private static int[] chain(int lines) {
        int[] order = new int[lines];
        for (int i = 0; i < lines; i++) {
            order[i] = i;
        }
        Random random = new Random(1);
        for (int i = lines - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int[] memory = new int[lines * LINE_INTS];
        for (int i = 0; i < lines; i++) {
            memory[order[i] * LINE_INTS] = order[(i + 1) % lines];
        }
        return memory;
    }

    private static long chase(int[] memory, int steps) {
        int line = 0;
        for (int s = 0; s < steps; s++) {
            line = memory[line * LINE_INTS];
        }
        return line;
    }

    private static long independent(int[] memory, int lines, int steps) {
        long sum = 0;
        int x = 12345;
        for (int s = 0; s < steps; s++) {
            x = x * 1664525 + 1013904223;
            sum += memory[(int) ((x & 0xFFFFFFFFL) % lines) * LINE_INTS];
        }
        return sum;
    }

    private MemoryLatency() {
    }
}
