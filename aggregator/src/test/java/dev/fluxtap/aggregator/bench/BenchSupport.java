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

    private BenchSupport() {
    }
}
