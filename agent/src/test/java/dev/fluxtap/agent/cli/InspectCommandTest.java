package dev.fluxtap.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InspectCommandTest {

    @TempDir
    Path dir;

    private record Output(int exit, List<String> stdout, String stderr) {
    }

    private Output inspect(String... args) {
        CommandLineConfigTest.Run r = CommandLineConfigTest.run(Map.of(), args);
        return new Output(r.exit(), r.out().lines().toList(), r.err());
    }

    @Test
    void prints_a_line_per_packet_and_a_stats_line_per_file() {
        Path pcap = TcpdumpCorpusTest.resource("pcaps/fluxtap/sll2-any-loopback.pcap");
        Output o = inspect("inspect", "--pcap", pcap.toString());
        assertThat(o.exit()).isZero();
        assertThat(o.stdout()).hasSize(51);
        assertThat(o.stdout().get(0)).startsWith("{\"type\":\"packet\",\"frame\":1,\"tsMicros\":")
                .contains("\"srcIp\":\"127.0.0.1\"", "\"dstPort\":18080", "\"protocol\":6", "\"tcpFlags\":2", "\"tcpMss\":65495");
        assertThat(o.stdout().get(50)).startsWith("{\"type\":\"stats\",\"file\":\"" + pcap + "\",\"frames\":50,\"decoded\":50,\"malformed\":{},\"skipped\":{}");
    }

    @Test
    void text_format() {
        Path pcap = TcpdumpCorpusTest.resource("pcaps/fluxtap/sll2-any-loopback.pcap");
        Output o = inspect("inspect", "--pcap", pcap.toString(), "--format", "text");
        assertThat(o.stdout().get(0)).matches("1 \\d+ 127\\.0\\.0\\.1:\\d+ > 127\\.0\\.0\\.1:18080 proto 6 len 60 ttl 64 flags \\[S\\] .*");
    }

    @Test
    void unreadable_and_corrupt_files_get_one_line_each_and_exit_1_while_other_files_are_processed() throws IOException {
        Path good = TcpdumpCorpusTest.resource("pcaps/fluxtap/sll2-any-loopback.pcap");
        Path garbage = Files.writeString(dir.resolve("garbage.pcap"), "this is not a capture file\n");
        byte[] bytes = Files.readAllBytes(good);
        Path truncated = Files.write(dir.resolve("truncated.pcap"), Arrays.copyOf(bytes, bytes.length / 2 + 7));
        Path missing = dir.resolve("missing.pcap");
        Output o = inspect("inspect", "--pcap", garbage.toString(), "--pcap", truncated.toString(), "--pcap", missing.toString(), "--pcap", good.toString());
        assertThat(o.exit()).isEqualTo(1);
        List<String> errors = o.stderr().lines().toList();
        assertThat(errors).hasSize(3);
        assertThat(errors.get(0)).startsWith("fluxtap-agent inspect: cannot read capture file " + garbage).contains("unknown file format");
        assertThat(errors.get(1)).startsWith("fluxtap-agent inspect: cannot read capture file " + truncated).contains("truncated");
        assertThat(errors.get(2)).startsWith("fluxtap-agent inspect: cannot read capture file " + missing).contains("no such file");
        List<String> stats = o.stdout().stream().filter(l -> l.startsWith("{\"type\":\"stats\"")).toList();
        assertThat(stats).hasSize(4);
        assertThat(stats.get(1)).contains("\"error\":");
        assertThat(stats.get(3)).contains("\"frames\":50,\"decoded\":50");
        long truncatedPackets = o.stdout().stream().filter(l -> l.startsWith("{\"type\":\"packet\"")).count() - 50;
        assertThat(truncatedPackets).as("the good records before the damage are still decoded").isBetween(10L, 40L);
    }
}
