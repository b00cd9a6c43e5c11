package dev.fluxtap.aggregator.bench;

import java.lang.management.ManagementFactory;

public final class BenchSupport {

    public static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    public static String mib(long bytes) {
        return String.format("%.0f MiB", bytes / 1024.0 / 1024.0);
    }

    /**
     * The arguments as whole numbers from {@code min} to {@code max}; anything else is refused with {@code refusal}, a
     * one-line hint of what to give, followed by the argument (the bench commands print it and exit 2).
     */
    public static int[] wholeNumbers(String[] args, int min, int max, String refusal) {
        int[] out = new int[args.length];
        for (int i = 0; i < args.length; i++) {
            try {
                out[i] = Integer.parseInt(args[i]);
            } catch (NumberFormatException e) {
                throw refused(refusal, args[i]);
            }
            if (out[i] < min || out[i] > max) {
                throw refused(refusal, args[i]);
            }
        }
        return out;
    }

    private static IllegalArgumentException refused(String refusal, String arg) {
        return new IllegalArgumentException(refusal + " (got " + arg + ")");
    }

    private BenchSupport() {
    }
}
