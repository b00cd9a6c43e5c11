package dev.fluxtap.agent.observe;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/** The agent's own CPU and memory and the host load: /proc on Linux, the JVM's management beans elsewhere. */
public final class ProcessStats {

    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path LOADAVG = Path.of("/proc/loadavg");

    private ProcessStats() {
    }

    /** CPU time of the process since start, in seconds. */
    public static double cpuSeconds() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            long nanos = os.getProcessCpuTime();
            return nanos < 0 ? 0 : nanos / 1e9;
        }
        return 0;
    }

    /** Resident set size in bytes (VmRSS), or 0 where /proc is absent. */
    public static long rssBytes() {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmRSS:")) {
                    String[] parts = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024L;
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux, or /proc not mounted: report 0 (unknown).
        }
        return 0;
    }

    /** One-minute load average of the host. */
    public static double hostLoad1() {
        try {
            String first = Files.readString(LOADAVG).trim().split("\\s+")[0];
            return Double.parseDouble(first);
        } catch (IOException | RuntimeException e) {
            return Math.max(0, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }
}
