package dev.fluxtap.standalone;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Linux bridge with an address on the host and one network namespace per simulated host, each attached to the bridge
 * by a veth pair: {@code <prefix>.1} is the bridge, {@code <prefix>.(10+i)} host i (default route via the bridge). Every
 * name carries a random suffix, the /24 is one that no address or route of this machine overlaps, and {@link #close()}
 * stops the processes started in the namespaces and deletes everything it created, also after a failed setup. Needs root.
 */
final class FleetNetwork implements AutoCloseable {

    /** One simulated host: its namespace, the veth end inside it and the end enslaved to the bridge. */
    record Host(int index, String namespace, String veth, String hostVeth, String ip) {
        String agentId() {
            return "host-" + index;
        }
    }

    private static final Pattern CIDR = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})(?:/(\\d{1,2}))?");

    final String suffix;
    final String bridge;
    final String bridgeIp;
    private final List<Host> hosts = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();
    private boolean bridgeCreated;

    private FleetNetwork(String suffix, String prefix) {
        this.suffix = suffix;
        this.bridge = "ftb" + suffix;
        this.bridgeIp = prefix + ".1";
    }

    /** Creates the bridge and {@code count} namespaces; on any failure deletes what it made and rethrows. */
    static FleetNetwork create(int count) throws IOException, InterruptedException {
        String suffix = String.format("%06x", ThreadLocalRandom.current().nextInt(1 << 24));
        String prefix = freeSlash24(new Random());
        FleetNetwork net = new FleetNetwork(suffix, prefix);
        try {
            run("ip", "link", "add", net.bridge, "type", "bridge");
            net.bridgeCreated = true;
            run("ip", "addr", "add", net.bridgeIp + "/24", "dev", net.bridge);
            run("ip", "link", "set", net.bridge, "up");
            for (int i = 1; i <= count; i++) {
                Host h = new Host(i, "fleet-" + suffix + "-" + i, "ftv" + suffix + "n" + i, "ftv" + suffix + "h" + i, prefix + "." + (10 + i));
                run("ip", "netns", "add", h.namespace());
                net.hosts.add(h);
                run("ip", "link", "add", h.hostVeth(), "type", "veth", "peer", "name", h.veth(), "netns", h.namespace());
                run("ip", "link", "set", h.hostVeth(), "master", net.bridge, "up");
                run("ip", "-n", h.namespace(), "addr", "add", h.ip() + "/24", "dev", h.veth());
                run("ip", "-n", h.namespace(), "link", "set", h.veth(), "up");
                run("ip", "-n", h.namespace(), "link", "set", "lo", "up");
                run("ip", "-n", h.namespace(), "route", "add", "default", "via", net.bridgeIp);
            }
        } catch (IOException | RuntimeException | InterruptedException e) {
            net.close();
            throw e;
        }
        return net;
    }

    List<Host> hosts() {
        return List.copyOf(hosts);
    }

    Host host(int index) {
        return hosts.get(index - 1);
    }

    /** Starts a command inside the host's namespace, stdout and stderr to {@code log}; it is stopped by {@link #close()}. */
    synchronized Process spawn(Host h, Path log, String... command) throws IOException {
        Files.createDirectories(log.getParent());
        Process p = new ProcessBuilder(inNamespace(h, command)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.add(p);
        return p;
    }

    /** Runs a command inside the host's namespace to its end; fails with its output unless it exits 0 within 30 s. */
    String exec(Host h, String... command) throws IOException, InterruptedException {
        return run(inNamespace(h, command).toArray(String[]::new));
    }

    private static List<String> inNamespace(Host h, String... command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", h.namespace()));
        full.addAll(List.of(command));
        return full;
    }

    static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " did not finish within 30 s");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited with " + p.exitValue() + ": " + out.trim());
        }
        return out;
    }

    /** A random 10.x.y.0/24 that neither an address nor a route of this machine (any table) overlaps. */
    static String freeSlash24(Random random) throws IOException, InterruptedException {
        String used = run("ip", "-4", "-o", "addr", "show") + "\n" + run("ip", "-4", "route", "show", "table", "all");
        List<long[]> taken = new ArrayList<>();
        Matcher m = CIDR.matcher(used);
        while (m.find()) {
            int length = m.group(5) == null ? 32 : Integer.parseInt(m.group(5));
            long address = (Long.parseLong(m.group(1)) << 24) | (Long.parseLong(m.group(2)) << 16) | (Long.parseLong(m.group(3)) << 8)
                    | Long.parseLong(m.group(4));
            if (length > 0) {
                taken.add(new long[] {address, length});
            }
        }
        for (int attempt = 0; attempt < 1000; attempt++) {
            int b = 64 + random.nextInt(190);
            int c = random.nextInt(256);
            long candidate = (10L << 24) | ((long) b << 16) | ((long) c << 8);
            if (taken.stream().noneMatch(t -> overlaps(candidate, 24, t[0], (int) t[1]))) {
                return "10." + b + "." + c;
            }
        }
        throw new IllegalStateException("no free /24 in 10.64.0.0/10 on this machine");
    }

    private static boolean overlaps(long a, int aLength, long b, int bLength) {
        int shared = Math.min(aLength, bLength);
        long mask = shared == 0 ? 0 : (0xFFFFFFFFL << (32 - shared)) & 0xFFFFFFFFL;
        return (a & mask) == (b & mask);
    }

    /** Stops the processes still running in the namespaces: SIGTERM, then SIGKILL after 10 s. */
    synchronized void stopProcesses() throws InterruptedException {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Stops the spawned processes, then deletes the veth pairs, namespaces and bridge. */
    @Override
    public synchronized void close() throws InterruptedException {
        stopProcesses();
        List<String> failures = new ArrayList<>();
        for (Host h : hosts) {
            quietly(failures, "ip", "link", "del", h.hostVeth());
            quietly(failures, "ip", "netns", "del", h.namespace());
        }
        if (bridgeCreated) {
            quietly(failures, "ip", "link", "del", bridge);
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException("cleanup of the fleet network failed: " + failures);
        }
    }

    private static void quietly(List<String> failures, String... command) throws InterruptedException {
        try {
            run(command);
        } catch (IOException | IllegalStateException e) {
            // The host veth disappears with its namespace if that went first; anything else is worth reporting.
            if (!String.valueOf(e.getMessage()).contains("Cannot find device")) {
                failures.add(e.getMessage());
            }
        }
    }
}
