package dev.fluxtap.agent.tcpstats.linux;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One pass over {@code /proc} per poll: every network namespace (by inode, with the lowest pid in it) and the owner
 * pid of every socket inode. Process details (comm, command line, container) are read on demand, once per pid, only
 * for pids that own a reported socket. Processes that vanish during the pass are skipped; unreadable ones (other
 * users' processes without CAP_SYS_PTRACE/CAP_DAC_READ_SEARCH) are counted.
 */
public final class ProcScan {

    /** A network namespace and one process that lives in it. */
    public record NetNamespace(long inode, long pid, boolean own) {
    }

    /** Owner of a socket. Null fields when the process vanished before they were read. */
    public record ProcessInfo(int pid, String name, String commandLine, String containerId) {
    }

    private final Path procRoot;
    private final int commandLineChars;
    private final long ownNetns;
    private final List<NetNamespace> namespaces;
    private final Map<Long, Integer> socketOwners;
    private final int unreadableProcesses;
    private final Map<Integer, ProcessInfo> processes = new HashMap<>();

    private ProcScan(Path procRoot, int commandLineChars, long ownNetns, List<NetNamespace> namespaces,
            Map<Long, Integer> socketOwners, int unreadableProcesses) {
        this.procRoot = procRoot;
        this.commandLineChars = commandLineChars;
        this.ownNetns = ownNetns;
        this.namespaces = namespaces;
        this.socketOwners = socketOwners;
        this.unreadableProcesses = unreadableProcesses;
    }

    /** Scans {@code procRoot}; {@code withSockets} false skips the fd walk (namespaces only). */
    public static ProcScan scan(Path procRoot, int commandLineChars, boolean withSockets) {
        long own = nsInode(procRoot.resolve("self/ns/net"));
        Map<Long, NetNamespace> byInode = new LinkedHashMap<>();
        if (own > 0) {
            byInode.put(own, new NetNamespace(own, ProcessHandle.current().pid(), true));
        }
        Map<Long, Integer> owners = new HashMap<>(4096);
        int unreadable = 0;
        List<Integer> pids = new ArrayList<>(512);
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(procRoot)) {
            for (Path dir : dirs) {
                String name = dir.getFileName().toString();
                if (!name.isEmpty() && Character.isDigit(name.charAt(0)) && isDigits(name)) {
                    pids.add(Integer.parseInt(name));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + procRoot + ": " + e.getMessage(), e);
        }
        pids.sort(null);
        for (int pid : pids) {
            Path dir = procRoot.resolve(Integer.toString(pid));
            long ns = nsInode(dir.resolve("ns/net"));
            if (ns > 0) {
                byInode.putIfAbsent(ns, new NetNamespace(ns, pid, false));
            }
            if (withSockets && !scanFds(dir.resolve("fd"), pid, owners)) {
                unreadable++;
            }
        }
        return new ProcScan(procRoot, commandLineChars, own, List.copyOf(byInode.values()), owners, unreadable);
    }

    /** Adds this pid's sockets; false when its fd directory could not be read (permission), true when vanished. */
    private static boolean scanFds(Path fdDir, int pid, Map<Long, Integer> owners) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(fdDir)) {
            for (Path fd : fds) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException e) {
                    continue;
                }
                if (target.startsWith("socket:[") && target.endsWith("]")) {
                    try {
                        owners.putIfAbsent(Long.parseLong(target, 8, target.length() - 1, 10), pid);
                    } catch (NumberFormatException ignored) {
                        // Not a socket link after all.
                    }
                }
            }
            return true;
        } catch (java.nio.file.AccessDeniedException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    /** Reads {@code net:[4026531840]}; 0 when unreadable or gone. */
    static long nsInode(Path link) {
        try {
            String target = Files.readSymbolicLink(link).toString();
            int open = target.indexOf('[');
            int close = target.lastIndexOf(']');
            if (open < 0 || close < open) {
                return 0;
            }
            return Long.parseLong(target, open + 1, close, 10);
        } catch (IOException | NumberFormatException | SecurityException e) {
            return 0;
        }
    }

    private static boolean isDigits(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (!Character.isDigit(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** Network namespaces found, the agent's own first. */
    public List<NetNamespace> namespaces() {
        return namespaces;
    }

    public long ownNetnsInode() {
        return ownNetns;
    }

    /** Processes whose fd directory could not be read: their sockets stay unattributed. */
    public int unreadableProcesses() {
        return unreadableProcesses;
    }

    public Optional<ProcessInfo> ownerOf(long socketInode) {
        Integer pid = socketOwners.get(socketInode);
        return pid == null ? Optional.empty() : Optional.of(process(pid));
    }

    /** Details of a pid, read once per scan. */
    public ProcessInfo process(int pid) {
        return processes.computeIfAbsent(pid, this::readProcess);
    }

    private ProcessInfo readProcess(int pid) {
        Path dir = procRoot.resolve(Integer.toString(pid));
        String comm = null;
        String cmdline = null;
        String container = null;
        try {
            comm = Files.readString(dir.resolve("comm"), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            // Vanished: keep the pid, no details.
        }
        try {
            byte[] raw = Files.readAllBytes(dir.resolve("cmdline"));
            int len = raw.length;
            while (len > 0 && raw[len - 1] == 0) {
                len--;
            }
            String text = new String(raw, 0, len, StandardCharsets.UTF_8).replace('\0', ' ');
            if (!text.isEmpty()) {
                cmdline = text.length() > commandLineChars ? text.substring(0, commandLineChars) : text;
            }
        } catch (IOException e) {
            // Vanished or kernel thread.
        }
        try {
            container = CgroupContainerIds.fromCgroupLines(Files.readAllLines(dir.resolve("cgroup"), StandardCharsets.UTF_8))
                    .orElse(null);
        } catch (IOException e) {
            // Vanished.
        }
        return new ProcessInfo(pid, comm, cmdline, container);
    }

    /** Every container id some process on the host runs in (one read of each /proc/PID/cgroup), for the CLI's check. */
    public static Set<String> runningContainerIds(Path procRoot) {
        Set<String> ids = new HashSet<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(procRoot)) {
            for (Path dir : dirs) {
                if (!isDigits(dir.getFileName().toString())) {
                    continue;
                }
                try {
                    CgroupContainerIds.fromCgroupLines(Files.readAllLines(dir.resolve("cgroup"), StandardCharsets.UTF_8))
                            .ifPresent(ids::add);
                } catch (IOException e) {
                    // Vanished.
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + procRoot + ": " + e.getMessage(), e);
        }
        return ids;
    }

    /** Whether the process still exists (to tell a vanished namespace holder from a failure). */
    public boolean alive(long pid) {
        return Files.isDirectory(procRoot.resolve(Long.toString(pid)));
    }
}
