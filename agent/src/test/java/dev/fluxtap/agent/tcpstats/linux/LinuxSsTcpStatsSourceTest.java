package dev.fluxtap.agent.tcpstats.linux;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fluxtap.agent.tcpstats.Fixtures;
import dev.fluxtap.agent.tcpstats.TcpConnectionStats;
import dev.fluxtap.agent.tcpstats.TcpStatsConfig;
import dev.fluxtap.agent.tcpstats.TcpStatsReading;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The source's orchestration over a directory laid out like /proc, with ss replaced by the recorded iproute2 6.1
 * output and nsenter by a shell that runs it (or fails, for the namespace held by pid 666).
 */
class LinuxSsTcpStatsSourceTest {

    private static final String ID = "aa4e0c1a9b8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f";
    private static final List<String> FAKE_NSENTER = List.of("sh", "-c",
            "case \"$1\" in */666/*) echo 'nsenter: reassociate to namespace ns/net failed: Operation not permitted' >&2; exit 1;; esac; "
                    + "shift; exec \"$@\"", "nsenter");

    @TempDir
    Path proc;
    private Path recorded;

    private void process(int pid, long netns, String comm, String cgroup, long... sockets) throws IOException {
        Path dir = Files.createDirectories(proc.resolve(Integer.toString(pid)));
        Files.createDirectories(dir.resolve("ns"));
        Files.createSymbolicLink(dir.resolve("ns/net"), Path.of("net:[" + netns + "]"));
        Path fd = Files.createDirectories(dir.resolve("fd"));
        for (int i = 0; i < sockets.length; i++) {
            Files.createSymbolicLink(fd.resolve(Integer.toString(3 + i)), Path.of("socket:[" + sockets[i] + "]"));
        }
        Files.writeString(dir.resolve("comm"), comm + "\n");
        Files.writeString(dir.resolve("cmdline"), comm + "\0--serve\0");
        Files.writeString(dir.resolve("cgroup"), cgroup);
    }

    @BeforeEach
    void fakeProc() throws IOException {
        Path own = proc.resolve("1");
        process(1, 4026531840L, "agent", "0::/\n");
        Files.createSymbolicLink(proc.resolve("self"), own);
        // Owners of two sockets of the recorded table (inodes 50695 and 50696).
        process(20, 4026532001L, "web", "0::/system.slice/docker-" + ID + ".scope\n", 50695);
        process(30, 4026532002L, "db", "0::/\n", 50696);
        process(666, 4026532003L, "locked", "0::/\n");
        recorded = proc.resolve("ss-output.txt");
        Files.writeString(recorded, Fixtures.text("ss/iproute2-6.1-oneline.txt"));
    }

    private TcpStatsReading read(int maxNamespaces) {
        TcpStatsConfig config = new TcpStatsConfig("host-1", Duration.ofSeconds(5), true, maxNamespaces, Duration.ofSeconds(5),
                1 << 20, 256, 10, false, proc);
        try (LinuxSsTcpStatsSource source = new LinuxSsTcpStatsSource(config, Clock.systemUTC(),
                List.of("cat", recorded.toString()), FAKE_NSENTER)) {
            return source.read();
        }
    }

    @Test
    void everyNamespaceIsReadAndEverySocketAttributed() {
        TcpStatsReading r = read(256);

        assertThat(r.source()).isEqualTo("ss");
        assertThat(r.namespacesScanned()).isEqualTo(3);
        assertThat(r.collectErrors()).as("the namespace of pid 666").isEqualTo(1);
        assertThat(r.errors()).singleElement().asString()
                .isEqualTo("network namespace net:[4026532003] (pid 666): exit code 1: nsenter: reassociate to namespace "
                        + "ns/net failed: Operation not permitted - entering another network namespace needs root or "
                        + "CAP_SYS_ADMIN and CAP_SYS_PTRACE (docs/TCPSTATS.md), or read only the agent's own namespace (--own-namespace)");
        assertThat(r.connections()).hasSize(3 * 8);
        assertThat(r.connections()).extracting(TcpConnectionStats::netnsInode)
                .containsOnly(4026531840L, 4026532001L, 4026532002L);

        TcpConnectionStats web = r.connections().stream()
                .filter(c -> c.inode() == 50695L && c.netnsInode() == 4026532001L).findFirst().orElseThrow();
        assertThat(web.pid()).isEqualTo(20);
        assertThat(web.processName()).isEqualTo("web");
        assertThat(web.commandLine()).isEqualTo("web --serve");
        assertThat(web.containerId()).isEqualTo(ID);

        TcpConnectionStats unknownToProc = r.connections().stream().filter(c -> c.inode() == 50683L).findFirst().orElseThrow();
        assertThat(unknownToProc.pid()).as("pid from ss's users: column, that pid vanished").isEqualTo(22546);
        assertThat(unknownToProc.processName()).as("name from ss when /proc has none").isEqualTo("socat");
        assertThat(unknownToProc.commandLine()).isNull();
    }

    @Test
    void theCapLimitsNamespacesPerPollOwnFirst() {
        TcpStatsReading r = read(2);

        assertThat(r.namespacesScanned()).isEqualTo(2);
        assertThat(r.namespacesSkipped()).isEqualTo(2);
        assertThat(r.connections()).extracting(TcpConnectionStats::netnsInode).containsOnly(4026531840L, 4026532001L);
    }

    @Test
    void aNamespaceWhoseProcessExitsBeforeNsenterIsNeitherReadNorAnError() {
        // This nsenter finds pid 666 gone: it removes /proc/666 (the process exited after the /proc pass) and fails.
        List<String> racingNsenter = List.of("sh", "-c",
                "case \"$1\" in */666/*) rm -rf \"$(dirname \"$(dirname \"${1#--net=}\")\")\"; "
                        + "echo 'nsenter: cannot open /proc/666/ns/net: No such file or directory' >&2; exit 1;; esac; "
                        + "shift; exec \"$@\"", "nsenter");
        TcpStatsConfig config = new TcpStatsConfig("host-1", Duration.ofSeconds(5), true, 256, Duration.ofSeconds(5),
                1 << 20, 256, 10, false, proc);
        TcpStatsReading r;
        try (LinuxSsTcpStatsSource source = new LinuxSsTcpStatsSource(config, Clock.systemUTC(),
                List.of("cat", recorded.toString()), racingNsenter)) {
            r = source.read();
        }
        assertThat(Files.exists(proc.resolve("666"))).isFalse();
        assertThat(r.collectErrors()).isZero();
        assertThat(r.errors()).isEmpty();
        assertThat(r.namespacesScanned()).isEqualTo(3);
    }
}
