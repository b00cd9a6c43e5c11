package dev.fluxtap.agent.tcpstats.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CommandRunnerTest {

    private final CommandRunner runner = new CommandRunner(Duration.ofMillis(500), 64 * 1024);

    @AfterEach
    void close() {
        runner.close();
    }

    @Test
    void outputAndExitCode() {
        CommandRunner.Result ok = runner.run(List.of("sh", "-c", "printf 'a\\nb\\n'; echo oops >&2"));
        assertThat(ok.ok()).isTrue();
        assertThat(ok.stdoutText()).isEqualTo("a\nb\n");
        assertThat(ok.stderr()).isEqualTo("oops\n");

        CommandRunner.Result failed = runner.run(List.of("sh", "-c", "echo 'nsenter: cannot open /proc/1/ns/net: Permission denied' >&2; exit 1"));
        assertThat(failed.ok()).isFalse();
        assertThat(failed.describeFailure()).isEqualTo("exit code 1: nsenter: cannot open /proc/1/ns/net: Permission denied");
    }

    @Test
    void aStuckChildIsKilledAtTheTimeout() {
        long start = System.nanoTime();
        CommandRunner.Result r = runner.run(List.of("sleep", "30"));
        assertThat(r.ok()).isFalse();
        assertThat(r.describeFailure()).isEqualTo("sleep timed out after 500 ms (tcpstats commandTimeout); killed");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void outputAboveTheCapIsDroppedAndReported() {
        CommandRunner.Result r = runner.run(List.of("yes"));
        assertThat(r.ok()).isFalse();
        assertThat(r.stdout()).isEmpty();
        assertThat(r.describeFailure()).isEqualTo("yes wrote more than 65536 bytes (tcpstats maxOutputBytes); output dropped");
    }

    @Test
    void largeOutputArrivesWholeAndStderrIsCappedWhileDrained() {
        CommandRunner big = new CommandRunner(Duration.ofSeconds(10), 4 << 20);
        try {
            CommandRunner.Result r = big.run(List.of("sh", "-c", "seq 1 300000; seq 1 100000 >&2"));
            assertThat(r.ok()).isTrue();
            String out = r.stdoutText();
            assertThat(out).startsWith("1\n2\n").endsWith("\n299999\n300000\n");
            assertThat(out.lines().count()).isEqualTo(300000);
            assertThat(r.stderr()).hasSize(4096).startsWith("1\n2\n3\n");
        } finally {
            big.close();
        }
    }

    @Test
    void aMissingProgramIsReported() {
        CommandRunner.Result r = runner.run(List.of("no-such-program-fluxtap"));
        assertThat(r.ok()).isFalse();
        assertThat(r.describeFailure()).startsWith("cannot run no-such-program-fluxtap:");
    }
}
