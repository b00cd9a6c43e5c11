package dev.fluxtap.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.fluxtap.agent.decode.MalformedReason;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Robustness: every capture of tcpdump's regression corpus (odd, truncated and deliberately malformed frames, the
 * files behind past CVEs) goes through the same code as {@code inspect}: no exception, no hang, and the per-file
 * counters add up. The counts are written to target/tcpdump-corpus-stats.jsonl.
 */
class TcpdumpCorpusTest {

    private static final Path CORPUS = resource("pcaps/tcpdump-tests");
    private static final Path REPORT = Path.of("target", "tcpdump-corpus-stats.jsonl");
    private static final Map<String, Inspector.FileResult> RESULTS = new ConcurrentHashMap<>();

    @TestFactory
    Stream<DynamicTest> every_file_decodes_without_exception_or_hang() throws IOException {
        Files.deleteIfExists(REPORT);
        List<Path> files;
        try (Stream<Path> s = Files.list(CORPUS)) {
            files = s.filter(p -> !p.getFileName().toString().equals("LICENSE")).sorted().toList();
        }
        assertThat(files).hasSizeGreaterThan(800);
        return files.stream().map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> {
            StringWriter out = new StringWriter();
            Inspector.FileResult result = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> new Inspector(out, Inspector.Format.JSON).inspect(file));
            RESULTS.put(file.getFileName().toString(), result);
            String[] lines = out.toString().split("\n");
            String stats = lines[lines.length - 1];
            Files.writeString(REPORT, stats + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            assertThat(stats).startsWith("{\"type\":\"stats\"");
            assertThat(lines.length - 1).as("one packet line per decoded frame").isEqualTo(result.totals().decoded());
            long accounted = result.totals().decoded() + sum(result.totals().malformed()) + sum(result.totals().skipped());
            assertThat(accounted).as("every frame is decoded, malformed or skipped").isEqualTo(result.totals().frames());
            if (result.captureErrors() > 0) {
                assertThat(stats).contains("\"" + dev.fluxtap.agent.capture.CaptureStats.LOST_REASON + "\":" + result.captureErrors());
            }
            assertThat(result.totals().malformed().get(MalformedReason.DECODER_FAULT)).as("no decoder exception").isZero();
        }));
    }

    @AfterAll
    static void totals_are_plausible() {
        if (RESULTS.size() < 800) {
            return;
        }
        for (String known : List.of("ipv6-routing-header.pcap", "02-sunrise-sunset-esp.pcap", "LINKTYPE_IPV6.pcap", "vxlan.pcap",
                "ipv6-srh-ext-header.pcap", "tcp_header_heapoverflow.pcap")) {
            Inspector.FileResult r = RESULTS.get(known);
            if (r != null && !known.contains("heapoverflow")) {
                assertThat(r.totals().decoded()).as(known).isPositive();
            }
        }
        long frames = RESULTS.values().stream().mapToLong(r -> r.totals().frames()).sum();
        long decoded = RESULTS.values().stream().mapToLong(r -> r.totals().decoded()).sum();
        long unreadable = RESULTS.values().stream().filter(r -> r.error().isPresent()).count();
        // Impossible timestamps (microseconds >= 1e6) make pcap4j's callback throw: those frames are counted, not lost.
        assertThat(RESULTS.get("timestamp_invalid_micro.pcap").captureErrors()).isPositive();
        System.out.printf("tcpdump corpus: %d files, %d frames, %d decoded, %d files with read errors%n", RESULTS.size(), frames, decoded, unreadable);
        assertThat(decoded).isGreaterThan(frames / 3);
        assertThat(unreadable).isLessThan(RESULTS.size() / 10);
    }

    private static long sum(Map<?, Long> m) {
        return m.values().stream().mapToLong(Long::longValue).sum();
    }

    static Path resource(String name) {
        try {
            return Path.of(TcpdumpCorpusTest.class.getClassLoader().getResource(name).toURI());
        } catch (URISyntaxException e) {
            throw new UncheckedIOException(new IOException(e));
        }
    }
}
