package dev.fluxtap.agent.tcpstats;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs OS commands for test setup; a failure fails the test with the command's stderr. */
public final class Commands {

    private Commands() {
    }

    public static String run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(String.join(" ", command) + " could not run: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Like {@link #run} but never throws: for cleanup. */
    public static void runQuietly(String... command) {
        try {
            run(command);
        } catch (IllegalStateException e) {
            // Cleanup best effort: the resource may already be gone.
        }
    }

    public static boolean onPath(String program) {
        return TcpStatsSources.onPath(program).isPresent();
    }

    public static boolean root() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("Uid:"))
                    .map(l -> List.of(l.split("\\s+")).get(2))
                    .anyMatch("0"::equals);
        } catch (IOException e) {
            return false;
        }
    }

    public static long ownNetnsInode() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
            return Long.parseLong(target.substring(target.indexOf('[') + 1, target.indexOf(']')));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
