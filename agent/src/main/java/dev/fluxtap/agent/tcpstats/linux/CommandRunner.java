package dev.fluxtap.agent.tcpstats.linux;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a child process with a deadline and an output cap, so that one stuck or runaway {@code ss} cannot stall or
 * flood a poll. Stdout and stderr are drained on two daemon threads; the caller waits at most the timeout.
 */
public final class CommandRunner implements AutoCloseable {

    private static final int STDERR_CAP = 4096;

    private final Duration timeout;
    private final int maxOutputBytes;
    private final ExecutorService drainers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "tcpstats-child-io");
        t.setDaemon(true);
        return t;
    });

    public CommandRunner(Duration timeout, int maxOutputBytes) {
        this.timeout = timeout;
        this.maxOutputBytes = maxOutputBytes;
    }

    /** Output of a child that ran to completion (any exit code) or failed to run. */
    public record Result(int exitCode, byte[] stdout, String stderr, String failure) {

        public boolean ok() {
            return failure == null && exitCode == 0;
        }

        public String stdoutText() {
            return new String(stdout, StandardCharsets.UTF_8);
        }

        /** One line saying why the child failed, for logs and the CLI. */
        public String describeFailure() {
            if (failure != null) {
                return failure;
            }
            String err = stderr.strip().replace('\n', ' ');
            return "exit code " + exitCode + (err.isEmpty() ? "" : ": " + err);
        }
    }

    public Result run(List<String> command) {
        Process process;
        try {
            process = new ProcessBuilder(command).start();
            process.getOutputStream().close();
        } catch (IOException e) {
            return new Result(-1, new byte[0], "", "cannot run " + command.get(0) + ": " + e.getMessage());
        }
        Future<byte[]> stdout = drainers.submit(() -> drain(process.getInputStream(), maxOutputBytes + 1, true));
        Future<byte[]> stderr = drainers.submit(() -> drain(process.getErrorStream(), STDERR_CAP, false));
        try {
            byte[] out = stdout.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (out.length > maxOutputBytes) {
                process.destroyForcibly();
                return new Result(-1, new byte[0], "", command.get(0) + " wrote more than " + maxOutputBytes
                        + " bytes (tcpstats maxOutputBytes); output dropped");
            }
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                return new Result(-1, new byte[0], "", command.get(0) + " did not exit within " + timeout.toMillis() + " ms");
            }
            String err = new String(stderr.get(timeout.toMillis(), TimeUnit.MILLISECONDS), StandardCharsets.UTF_8);
            return new Result(process.exitValue(), out, err, null);
        } catch (TimeoutException e) {
            process.destroyForcibly();
            return new Result(-1, new byte[0], "", command.get(0) + " timed out after " + timeout.toMillis()
                    + " ms (tcpstats commandTimeout); killed");
        } catch (ExecutionException e) {
            process.destroyForcibly();
            return new Result(-1, new byte[0], "", "reading output of " + command.get(0) + " failed: " + e.getCause());
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            return new Result(-1, new byte[0], "", "interrupted while running " + command.get(0));
        }
    }

    /**
     * Reads up to {@code cap} bytes. Then either stops ({@code stopAtCap}: the caller kills the child) or keeps reading
     * and discarding so that the child never blocks on a full pipe.
     */
    private static byte[] drain(InputStream in, int cap, boolean stopAtCap) throws IOException {
        try (in) {
            // Chunks, joined once at the end: no repeated copying while a large table grows.
            List<byte[]> chunks = new ArrayList<>();
            byte[] chunk = new byte[1 << 16];
            int used = 0;
            int kept = 0;
            byte[] discard = null;
            while (true) {
                if (kept >= cap) {
                    if (discard == null) {
                        discard = new byte[8192];
                    }
                    if (stopAtCap || in.read(discard) < 0) {
                        break;
                    }
                    continue;
                }
                if (used == chunk.length) {
                    chunks.add(chunk);
                    chunk = new byte[Math.min(chunk.length * 2, 1 << 22)];
                    used = 0;
                }
                int n = in.read(chunk, used, Math.min(chunk.length - used, cap - kept));
                if (n < 0) {
                    break;
                }
                used += n;
                kept += n;
            }
            byte[] out = new byte[kept];
            int at = 0;
            for (byte[] c : chunks) {
                System.arraycopy(c, 0, out, at, c.length);
                at += c.length;
            }
            System.arraycopy(chunk, 0, out, at, kept - at);
            return out;
        }
    }

    @Override
    public void close() {
        drainers.shutdownNow();
    }
}
