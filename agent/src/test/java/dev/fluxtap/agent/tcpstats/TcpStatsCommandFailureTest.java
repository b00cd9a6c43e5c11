package dev.fluxtap.agent.tcpstats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fluxtap.agent.tcpstats.linux.LinuxSsTcpStatsSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI's exit code 1 for failures of the source itself, through the real ss source with other commands. */
class TcpStatsCommandFailureTest {

    @Test
    void malformedSsOutputGivesOneLineAndExit1(@TempDir Path dir) throws IOException {
        Path recorded = dir.resolve("ss.txt");
        Files.writeString(recorded, Fixtures.text("ss/malformed.txt"));
        TcpStatsCommand command = new TcpStatsCommand((config, clock) ->
                new LinuxSsTcpStatsSource(config, clock, List.of("cat", recorded.toString()), List.of("nsenter")));

        CliRun run = CliRun.with(command, "--once", "--own-namespace", "--count");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err().lines().toList()).singleElement().asString()
                .startsWith("tcp-stats: network namespace net:[")
                .contains("malformed ss output line 1: details line without a socket line before it (line skipped)")
                .endsWith("(and 10 more problem(s))");
    }

    @Test
    void noPermissionToEnterNamespacesGivesOneLineAndExit1() {
        assumeTrue(Commands.root() && Commands.onPath("setpriv"),
                "needs root to start nsenter as an unprivileged user (setpriv): skipped");
        // nsenter as nobody, without capabilities: what an agent without CAP_SYS_ADMIN/CAP_SYS_PTRACE gets.
        List<String> unprivileged = List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                "--inh-caps=-all", "nsenter");
        TcpStatsCommand command = new TcpStatsCommand((config, clock) ->
                new LinuxSsTcpStatsSource(config, clock, List.of("ss", "-tineOH"), unprivileged));
        Process holder = startProcessInAnotherNamespace();
        try {
            CliRun run = CliRun.with(command, "--once", "--count");

            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.out()).isEmpty();
            assertThat(run.err().lines().toList()).singleElement().asString()
                    .startsWith("tcp-stats: network namespace net:[")
                    .contains("Permission denied", "needs root or CAP_SYS_ADMIN and CAP_SYS_PTRACE", "--own-namespace");
        } finally {
            holder.destroyForcibly();
            holder.onExit().join();
        }
    }

    /** A process in a fresh network namespace (unshare), so that there is one namespace to enter besides ours. */
    private static Process startProcessInAnotherNamespace() {
        assumeTrue(Commands.onPath("unshare"), "needs unshare (util-linux)");
        try {
            Process p = new ProcessBuilder("unshare", "--net", "cat").start();
            long own = Commands.ownNetnsInode();
            Path link = Path.of("/proc/" + p.pid() + "/ns/net");
            org.awaitility.Awaitility.await().until(() -> {
                try {
                    String target = Files.readSymbolicLink(link).toString();
                    return !target.contains(Long.toString(own));
                } catch (IOException e) {
                    return false;
                }
            });
            return p;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
