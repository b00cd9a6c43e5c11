package dev.fluxtap.agent.tcpstats.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ProcScan over a directory laid out like /proc (symlinks and files as the kernel shows them). */
class ProcScanTest {

    private static final String ID = "3f4e0c1a9b8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f";

    private static Path process(Path proc, int pid, long netns, String comm, String cmdline, String cgroup, long... sockets)
            throws IOException {
        Path dir = Files.createDirectories(proc.resolve(Integer.toString(pid)));
        Files.createDirectories(dir.resolve("ns"));
        Files.createSymbolicLink(dir.resolve("ns/net"), Path.of("net:[" + netns + "]"));
        Path fd = Files.createDirectories(dir.resolve("fd"));
        Files.createSymbolicLink(fd.resolve("0"), Path.of("anon_inode:[eventfd]"));
        for (int i = 0; i < sockets.length; i++) {
            Files.createSymbolicLink(fd.resolve(Integer.toString(3 + i)), Path.of("socket:[" + sockets[i] + "]"));
        }
        Files.createSymbolicLink(fd.resolve("99"), Path.of("pipe:[777]"));
        if (comm != null) {
            Files.writeString(dir.resolve("comm"), comm + "\n");
            Files.write(dir.resolve("cmdline"), cmdline.getBytes(StandardCharsets.UTF_8));
            Files.writeString(dir.resolve("cgroup"), cgroup);
        }
        return dir;
    }

    @Test
    void namespacesSocketOwnersAndProcessDetailsInOnePass(@TempDir Path proc) throws IOException {
        Path own = process(proc, 1, 4026531840L, "systemd", "/sbin/init\0", "0::/init.scope\n", 100);
        Files.createSymbolicLink(proc.resolve("self"), own);
        process(proc, 20, 4026532001L, "nginx", "nginx: master process\0-g\0daemon off;\0",
                "0::/system.slice/docker-" + ID + ".scope\n", 200, 201);
        process(proc, 21, 4026532001L, "nginx", "nginx: worker process\0", "0::/system.slice/docker-" + ID + ".scope\n", 200);
        process(proc, 300, 4026532002L, "x".repeat(15), "a".repeat(1000) + "\0", "0::/\n", 300);
        process(proc, 400, 4026532002L, null, null, null, 400);
        Files.createDirectories(proc.resolve("sys"));

        ProcScan scan = ProcScan.scan(proc, 256, true);

        assertThat(scan.ownNetnsInode()).isEqualTo(4026531840L);
        assertThat(scan.namespaces()).extracting(ProcScan.NetNamespace::inode)
                .containsExactly(4026531840L, 4026532001L, 4026532002L);
        assertThat(scan.namespaces().get(1).pid()).as("lowest pid of the namespace").isEqualTo(20);
        assertThat(scan.namespaces().get(0).own()).isTrue();

        ProcScan.ProcessInfo nginx = scan.ownerOf(201).orElseThrow();
        assertThat(nginx.pid()).isEqualTo(20);
        assertThat(nginx.name()).isEqualTo("nginx");
        assertThat(nginx.commandLine()).isEqualTo("nginx: master process -g daemon off;");
        assertThat(nginx.containerId()).isEqualTo(ID);
        assertThat(scan.ownerOf(200).orElseThrow().pid()).as("shared socket: first owner").isEqualTo(20);

        assertThat(scan.ownerOf(300).orElseThrow().commandLine()).hasSize(256);
        assertThat(scan.ownerOf(300).orElseThrow().containerId()).isNull();
        assertThat(scan.ownerOf(777)).as("pipes are not sockets").isEmpty();
        assertThat(scan.ownerOf(12345)).isEmpty();

        ProcScan.ProcessInfo vanished = scan.ownerOf(400).orElseThrow();
        assertThat(vanished.pid()).isEqualTo(400);
        assertThat(vanished.name()).isNull();
        assertThat(vanished.commandLine()).isNull();
        assertThat(ProcScan.runningContainerIds(proc)).containsExactly(ID);
    }
}
